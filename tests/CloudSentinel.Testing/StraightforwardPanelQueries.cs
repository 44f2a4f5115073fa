namespace CloudSentinel.Testing;

/// <summary>
/// The CXO overview's service-ranking panels written the straightforward way: one GROUP BY over the
/// tenant's hourly buckets in the range, which is what those panels said before they read the daily
/// rollup through service_costs_by_service (migration V013). The panels must return exactly what these
/// return for any range, and the dashboard benchmark times these on raw line items as the baseline.
/// </summary>
public static class StraightforwardPanelQueries
{
    public static readonly IReadOnlyDictionary<string, string> ByPanel = new Dictionary<string, string>
    {
        ["cloudsentinel-cxo-overview/Cost by service"] = """
            SELECT service_name, SUM(cost_usd) AS cost_usd
            FROM service_costs
            WHERE tenant_id = '$tenant' AND $__timeFilter("timestamp")
            GROUP BY service_name
            ORDER BY cost_usd DESC, service_name
            LIMIT 20
            """,
        ["cloudsentinel-cxo-overview/Cost trend (7 days, hourly, by service)"] = """
            WITH top AS (
              SELECT service_name
              FROM service_costs
              WHERE tenant_id = '$tenant' AND $__timeFilter("timestamp")
              GROUP BY service_name
              ORDER BY SUM(cost_usd) DESC, service_name
              LIMIT 10
            ),
            top_hourly AS (
              SELECT c."timestamp", c.service_name, SUM(c.cost_usd) AS cost_usd, count(*) AS buckets
              FROM service_costs c
              WHERE c.tenant_id = '$tenant' AND c.service_name IN (SELECT service_name FROM top) AND $__timeFilter(c."timestamp")
              GROUP BY 1, 2
            ),
            other_hourly AS (
              SELECT t."timestamp", SUM(t.cost_usd) - COALESCE(MIN(h.cost_usd), 0) AS cost_usd, SUM(t.buckets) - COALESCE(MIN(h.buckets), 0) AS buckets
              FROM service_costs_tenant_hourly t
              LEFT JOIN (SELECT "timestamp", SUM(cost_usd) AS cost_usd, SUM(buckets) AS buckets FROM top_hourly GROUP BY 1) h ON h."timestamp" = t."timestamp"
              WHERE t.tenant_id = '$tenant' AND $__timeFilter(t."timestamp")
              GROUP BY t."timestamp"
            )
            SELECT $__timeGroupAlias(x."timestamp", '1h'), x.metric, SUM(x.cost_usd) AS cost_usd
            FROM (
              SELECT "timestamp", service_name AS metric, cost_usd FROM top_hourly
              UNION ALL
              SELECT "timestamp", 'other', cost_usd FROM other_hourly WHERE buckets > 0
            ) x
            GROUP BY 1, 2
            ORDER BY 1, 2
            """,
        ["cloudsentinel-cxo-overview/Top movers (last 24 h vs the 24 h before)"] = """
            SELECT
              service_name,
              SUM(cost_usd) FILTER (WHERE "timestamp" >= $__timeTo()::timestamptz - interval '24 hours') AS last_24h_usd,
              COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" < $__timeTo()::timestamptz - interval '24 hours'), 0) AS previous_24h_usd,
              COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" >= $__timeTo()::timestamptz - interval '24 hours'), 0)
                - COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" < $__timeTo()::timestamptz - interval '24 hours'), 0) AS change_usd,
              round(100 * (COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" >= $__timeTo()::timestamptz - interval '24 hours'), 0)
                / NULLIF(SUM(cost_usd) FILTER (WHERE "timestamp" < $__timeTo()::timestamptz - interval '24 hours'), 0) - 1), 1) AS change_percent
            FROM service_costs
            WHERE tenant_id = '$tenant' AND $__timeFilter("timestamp") AND "timestamp" < $__timeTo()::timestamptz
            GROUP BY service_name
            ORDER BY abs(
              COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" >= $__timeTo()::timestamptz - interval '24 hours'), 0)
              - COALESCE(SUM(cost_usd) FILTER (WHERE "timestamp" < $__timeTo()::timestamptz - interval '24 hours'), 0)) DESC, service_name
            LIMIT 10
            """,
    };
}
