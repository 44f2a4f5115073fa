using System.Runtime.CompilerServices;
using System.Text.Json;
using CloudSentinel.Core;
using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// Streams a tenant's hourly buckets from <c>service_costs</c> in time order, with what the sources said
/// about them (<c>service_cost_details</c>: provider service, region, sub account name, billed currency), each share of shared
/// infrastructure with its <c>shared_infrastructure_allocation</c> percents and, for Kubernetes
/// compute, the service's pods of that cluster hour from <c>pod_costs</c> with the CPU the allocation
/// counted for each (max of request and usage, <c>pod_usage</c>). One query, read row by row: memory does not grow with the range.
/// </summary>
public sealed class PostgresServiceCostReader(NpgsqlDataSource dataSource) : IServiceCostReader
{
    private const string Sql = """
        SELECT sc."timestamp", sc.service_name, sc.cost_type, sc.cloud_provider, sc.account_id, sc.source, sc.breakdown, sc.cost_usd,
               sia.cpu_allocation_percent, sia.memory_allocation_percent,
               CASE WHEN sc.source LIKE 'shared:%' AND sc.cost_type = 'compute' THEN (
                   SELECT json_agg(json_build_array(p.namespace, p.pod_name, (p.cpu_cost_usd + p.memory_cost_usd)::text,
                                                    GREATEST(u.cpu_request_core_hours, u.cpu_usage_core_hours)::text)
                                   ORDER BY p.namespace, p.pod_name)
                   FROM pod_costs p
                   LEFT JOIN pod_usage u ON u.tenant_id = p.tenant_id AND u.cluster_name = p.cluster_name AND u."timestamp" = p."timestamp"
                                        AND u.namespace = p.namespace AND u.pod_name = p.pod_name
                   WHERE p.tenant_id = sc.tenant_id AND p.cluster_name = substr(sc.source, 8) AND p."timestamp" = sc."timestamp"
                     AND p.service_name = sc.service_name)
               END,
               d.provider_service, d.region, d.sub_account_name, d.billing_currency, d.usd_rate
        FROM service_costs sc
        LEFT JOIN service_cost_details d
               ON d.tenant_id = sc.tenant_id AND d.service_name = sc.service_name AND d."timestamp" = sc."timestamp" AND d.cloud_provider = sc.cloud_provider
              AND d.account_id = sc.account_id AND d.cost_type = sc.cost_type AND d.source = sc.source AND d.breakdown = sc.breakdown
        LEFT JOIN shared_infrastructure_allocation sia
               ON sc.source LIKE 'shared:%' AND sia.tenant_id = sc.tenant_id AND sia.cluster_name = substr(sc.source, 8)
              AND sia."timestamp" = sc."timestamp" AND sia.service_name = sc.service_name
              AND sia.resource_type = CASE sc.cost_type WHEN 'compute' THEN 'kubernetes' WHEN 'storage' THEN 'storage' ELSE 'load_balancer' END
        WHERE sc.tenant_id = $1 AND sc."timestamp" >= $2 AND sc."timestamp" < $3 AND sc.cost_usd <> 0
        ORDER BY sc."timestamp", sc.service_name, sc.cloud_provider, sc.account_id, sc.cost_type, sc.source, sc.breakdown
        """;

    public async IAsyncEnumerable<ServiceCostLine> ReadAsync(string tenant, DateTime from, DateTime to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new ServiceCostLine(
                DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc),
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetDecimal(7),
                reader.IsDBNull(8) ? null : reader.GetDecimal(8),
                reader.IsDBNull(9) ? null : reader.GetDecimal(9),
                reader.IsDBNull(10) ? null : Pods(reader.GetString(10)))
            {
                ProviderService = reader.IsDBNull(11) ? null : reader.GetString(11),
                Region = reader.IsDBNull(12) ? null : reader.GetString(12),
                SubAccountName = reader.IsDBNull(13) ? null : reader.GetString(13),
                BilledCurrency = reader.IsDBNull(14) || reader.IsDBNull(15) ? null : (reader.GetString(14), reader.GetDecimal(15)),
            };
        }
    }

    public async Task<DateTime?> LastUpdatedAsync(string tenant, DateTime from, DateTime to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT max(updated_at) FROM service_costs WHERE tenant_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3""");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        return await command.ExecuteScalarAsync(ct) is DateTime last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null;
    }

    private static List<PodCost> Pods(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(p => new PodCost(p[0].GetString()!, p[1].GetString()!, decimal.Parse(p[2].GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                p[3].ValueKind == JsonValueKind.Null ? null : decimal.Parse(p[3].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }
}
