using System.Globalization;
using Npgsql;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>
/// The CXO overview ranks services from whole UTC days of the daily rollup plus buckets of the partial
/// days at the range's edges (service_costs_by_service, migration V013). That must be the same money as
/// summing the buckets, for ranges that start and end anywhere in a day, with data on both sides of each end.
/// </summary>
public sealed class RankingPanelExactnessTests(CostDatabaseFixture database) : IClassFixture<CostDatabaseFixture>, IAsyncLifetime
{
    /// <summary>
    /// Besides the seed's services that bill every hour: sparse services (ten, so the trend has an
    /// "other" line), a credit, a service whose buckets were all deleted (rollup rows left at zero) and a
    /// restated bucket. Idempotent, since every test of the class runs it.
    /// </summary>
    private const string EdgeData = """
        INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, cost_type, cost_usd)
        SELECT 'acme', h, 'batch-' || b, 'aws', 'compute', round(b * 0.37 + extract(hour FROM h)::numeric / 100, 2)
        FROM generate_series(1, 10) b,
             generate_series(timestamptz '2025-02-28T12:00:00Z', '2025-03-03T11:00:00Z', interval '1 hour') h
        WHERE (extract(epoch FROM h)::bigint / 3600 + b) % (b + 3) = 0
        UNION ALL
        VALUES ('acme', timestamptz '2025-03-02T02:00:00Z', 'nightly', 'gcp', 'compute', 5.00),
               ('acme', timestamptz '2025-03-02T23:00:00Z', 'nightly', 'gcp', 'compute', -1.25),
               ('acme', timestamptz '2025-03-01T10:00:00Z', 'retired', 'aws', 'compute', 8.00)
        ON CONFLICT DO NOTHING;
        DELETE FROM service_costs WHERE tenant_id = 'acme' AND service_name = 'retired';
        UPDATE service_costs SET cost_usd = 99.99
        WHERE tenant_id = 'acme' AND service_name = 'checkout' AND cost_type = 'compute' AND "timestamp" = '2025-03-02T13:00:00Z';
        """;

    private static readonly string[] Panels =
    [
        "cloudsentinel-cxo-overview/Cost by service",
        "cloudsentinel-cxo-overview/Cost trend (7 days, hourly, by service)",
        "cloudsentinel-cxo-overview/Top movers (last 24 h vs the 24 h before)",
    ];

    /// <summary>Ranges over the seed (2025-02-28 12:00 to 2025-03-03 11:00 UTC) with their ends at every kind of place.</summary>
    public static TheoryData<string, string> Ranges() => new()
    {
        { "2025-02-28T13:30:00Z", "2025-03-03T09:30:00Z" }, // mid-day ends, data after the end
        { "2025-03-01T09:30:00Z", "2025-03-03T09:30:00Z" }, // 48 h, as top movers opens
        { "2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z" }, // day-aligned: the 00:00 hour of the end is in range
        { "2025-02-28T20:00:00Z", "2025-03-02T05:00:00Z" }, // late start, early end, both on the hour
        { "2025-03-02T01:15:00Z", "2025-03-02T22:45:00Z" }, // inside one day, data before and after
        { "2025-03-02T21:00:00Z", "2025-03-02T23:00:00Z" }, // a few hours at the end of one day
        { "2025-02-24T12:00:00Z", "2025-03-03T12:00:00Z" }, // the dashboard's 7 days to "now"
        { "2025-02-20T00:00:00Z", "2025-03-10T00:00:00Z" }, // beyond the data on both sides
    };

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(EdgeData, connection);
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task Ranking_panels_return_exactly_what_summing_the_buckets_returns(string from, string to)
    {
        foreach (var panel in Panels)
        {
            var context = new GrafanaQueryContext(Time(from), Time(to), new Dictionary<string, string> { ["tenant"] = "acme" });
            var rewritten = await database.QueryAsGrafanaReaderAsync(GrafanaMacroExpander.Expand(DashboardQueries.Named(panel).Sql, context));
            var straightforward = await database.QueryAsGrafanaReaderAsync(GrafanaMacroExpander.Expand(StraightforwardPanelQueries.ByPanel[panel], context));

            Assert.Equal(straightforward.Columns, rewritten.Columns);
            Assert.NotEmpty(straightforward.Rows);
            // object.Equals on decimals compares values, so 1.50 equals 1.5.
            Assert.True(straightforward.Rows.Count == rewritten.Rows.Count && straightforward.Rows.Zip(rewritten.Rows).All(r => r.First.SequenceEqual(r.Second)),
                $"{panel} over {from} .. {to}:\nbuckets:\n{Format(straightforward)}\npanel:\n{Format(rewritten)}");
        }
    }

    [Fact]
    public async Task Service_totals_equal_the_buckets_for_every_pair_of_ends_on_a_grid_of_hours_and_half_hours()
    {
        // Ends every 5.5 hours across the seed and beyond it: on the hour, on the half hour, at midnight or not.
        const string sql = """
            WITH ends AS (
              SELECT timestamptz '2025-02-28T06:00:00Z' + n * interval '330 minutes' AS t FROM generate_series(0, 18) n
            ),
            ranges AS (SELECT a.t AS range_from, b.t AS range_to FROM ends a JOIN ends b ON a.t < b.t)
            SELECT count(*) FILTER (WHERE fresh IS DISTINCT FROM fast), count(*), count(*) FILTER (WHERE fresh <> '[]')
            FROM ranges r
            CROSS JOIN LATERAL (
              SELECT COALESCE(jsonb_agg(jsonb_build_array(service_name, cost_usd, buckets) ORDER BY service_name), '[]') AS fresh
              FROM (SELECT service_name, sum(cost_usd) AS cost_usd, count(*) AS buckets FROM service_costs
                    WHERE tenant_id = 'acme' AND "timestamp" >= r.range_from AND "timestamp" < r.range_to GROUP BY 1) s) f
            CROSS JOIN LATERAL (
              SELECT COALESCE(jsonb_agg(jsonb_build_array(service_name, cost_usd, buckets) ORDER BY service_name), '[]') AS fast
              FROM service_costs_by_service('acme', r.range_from, r.range_to)) g
            """;
        var result = await database.QueryAsGrafanaReaderAsync(sql);

        Assert.Equal(171L, result.Rows[0][1]);
        Assert.True((long)result.Rows[0][2]! > 150, "too few ranges hold data to prove anything");
        Assert.Equal(0L, result.Rows[0][0]);
    }

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static string Format(QueryResult result) =>
        string.Join("\n", result.Rows.Select(row => string.Join(" | ", row.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null"))));
}
