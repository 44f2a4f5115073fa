using System.Globalization;
using System.Text.Json.Nodes;

namespace CloudSentinel.Connectors;

/// <summary>
/// The jobs.query request over the standard billing export. BigQuery sums each (service, project,
/// region, service label, hour) first, so pages carry a few rows per hour instead of every SKU line;
/// credits (negative amounts) are added to the cost as the export schema intends.
/// </summary>
internal static class BillingExportQuery
{
    public static string Sql(GcpBillingExportOptions options) => $"""
        WITH lines AS (
          SELECT
            service.description AS service,
            COALESCE(project.id, billing_account_id) AS account,
            location.region AS region,
            (SELECT l.key FROM UNNEST(labels) AS l JOIN UNNEST(@label_keys) AS k WITH OFFSET AS pos
               ON LOWER(TRIM(l.key)) = k WHERE TRIM(l.value) != '' ORDER BY pos LIMIT 1) AS label_key,
            (SELECT TRIM(l.value) FROM UNNEST(labels) AS l JOIN UNNEST(@label_keys) AS k WITH OFFSET AS pos
               ON LOWER(TRIM(l.key)) = k WHERE TRIM(l.value) != '' ORDER BY pos LIMIT 1) AS label_value,
            usage_start_time,
            usage_end_time,
            currency,
            cost + IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0) AS net_cost
          FROM `{options.Table}`
          WHERE usage_start_time >= @from AND usage_start_time < @to{(options.FilterPartitions ? "\n    AND _PARTITIONTIME >= TIMESTAMP_SUB(TIMESTAMP_TRUNC(@from, DAY), INTERVAL 1 DAY)" : "")}
        )
        SELECT service, account, region, label_key, label_value,
          UNIX_SECONDS(usage_start_time) AS start_s, UNIX_SECONDS(usage_end_time) AS end_s,
          currency, SUM(net_cost) AS cost
        FROM lines
        GROUP BY service, account, region, label_key, label_value, start_s, end_s, currency
        """;

    public static JsonObject Request(GcpBillingExportOptions options, PollWindow window)
    {
        var request = new JsonObject
        {
            ["query"] = Sql(options),
            ["useLegacySql"] = false,
            ["parameterMode"] = "NAMED",
            ["queryParameters"] = new JsonArray(
                Timestamp("from", window.From),
                Timestamp("to", window.To),
                new JsonObject
                {
                    ["name"] = "label_keys",
                    ["parameterType"] = new JsonObject { ["type"] = "ARRAY", ["arrayType"] = new JsonObject { ["type"] = "STRING" } },
                    ["parameterValue"] = new JsonObject
                    {
                        ["arrayValues"] = new JsonArray(options.ServiceLabelKeys
                            .Select(k => (JsonNode)new JsonObject { ["value"] = k.Trim().ToLowerInvariant() }).ToArray()),
                    },
                }),
            ["maxResults"] = options.PageSize,
            ["timeoutMs"] = (long)options.QueryWait.TotalMilliseconds,
        };
        if (options.Location is not null) request["location"] = options.Location;
        return request;
    }

    private static JsonObject Timestamp(string name, DateTime value) => new()
    {
        ["name"] = name,
        ["parameterType"] = new JsonObject { ["type"] = "TIMESTAMP" },
        ["parameterValue"] = new JsonObject { ["value"] = value.ToString("yyyy-MM-dd HH:mm:ss'+00:00'", CultureInfo.InvariantCulture) },
    };
}
