using CloudSentinel.Grains.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>
/// The statements of <see cref="PostgresAllocationStore"/>: every column goes as one array parameter
/// and unnest() turns them back into rows, so a chunk of any size is one statement of fixed text.
/// </summary>
internal static class AllocationRows
{
    public static NpgsqlBatchCommand UpsertCosts(IReadOnlyList<KeyValuePair<ClusterRowKey<ClusterCostKey>, Sequenced<ClusterCostUpdate>>> rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO cluster_cost_buckets (tenant_id, cluster_name, "timestamp", cloud_provider, account_id, cost_type, component, pool, source,
                                              cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, cpu_capacity_core_hours, memory_capacity_gb_hours, ingest_seq)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                 $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::bigint[])
            ON CONFLICT (tenant_id, cluster_name, "timestamp", cloud_provider, account_id, cost_type, component, pool, source) DO UPDATE
            SET cost_usd = EXCLUDED.cost_usd, cpu_cost_usd = EXCLUDED.cpu_cost_usd, memory_cost_usd = EXCLUDED.memory_cost_usd,
                storage_gb = EXCLUDED.storage_gb, cpu_capacity_core_hours = EXCLUDED.cpu_capacity_core_hours,
                memory_capacity_gb_hours = EXCLUDED.memory_capacity_gb_hours, ingest_seq = EXCLUDED.ingest_seq, updated_at = now()
            WHERE cluster_cost_buckets.ingest_seq <= EXCLUDED.ingest_seq
            """);
        Text(command, rows.Select(r => r.Key.Tenant));
        Text(command, rows.Select(r => r.Key.Cluster));
        Times(command, rows.Select(r => r.Key.Row.Hour));
        Text(command, rows.Select(r => r.Key.Row.Provider));
        Text(command, rows.Select(r => r.Key.Row.AccountId));
        Text(command, rows.Select(r => r.Key.Row.CostType));
        Text(command, rows.Select(r => r.Key.Row.Component));
        Text(command, rows.Select(r => r.Key.Row.Pool));
        Text(command, rows.Select(r => r.Key.Row.Source));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.CostUsd));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.CpuCostUsd));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.MemoryCostUsd));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.StorageGb));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.CpuCapacityCoreHours));
        Numbers(command, rows.Select(r => r.Value.Item.Amount.MemoryCapacityGbHours));
        Sequences(command, rows.Select(r => r.Value.Sequence));
        return command;
    }

    public static NpgsqlBatchCommand UpsertUsage(IReadOnlyList<KeyValuePair<ClusterRowKey<PodUsageKey>, Sequenced<PodUsageUpdate>>> rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO pod_usage (tenant_id, cluster_name, "timestamp", namespace, pod_name, service_name,
                                   cpu_request_core_hours, cpu_usage_core_hours, memory_request_gb_hours, memory_usage_gb_hours,
                                   storage_type, storage_gb_hours, load_balancer, lb_requests, ingest_seq)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                                 $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::text[], $12::numeric[], $13::text[], $14::numeric[], $15::bigint[])
            ON CONFLICT (tenant_id, cluster_name, "timestamp", namespace, pod_name) DO UPDATE
            SET service_name = EXCLUDED.service_name, cpu_request_core_hours = EXCLUDED.cpu_request_core_hours,
                cpu_usage_core_hours = EXCLUDED.cpu_usage_core_hours, memory_request_gb_hours = EXCLUDED.memory_request_gb_hours,
                memory_usage_gb_hours = EXCLUDED.memory_usage_gb_hours, storage_type = EXCLUDED.storage_type,
                storage_gb_hours = EXCLUDED.storage_gb_hours, load_balancer = EXCLUDED.load_balancer,
                lb_requests = EXCLUDED.lb_requests, ingest_seq = EXCLUDED.ingest_seq, updated_at = now()
            WHERE pod_usage.ingest_seq <= EXCLUDED.ingest_seq
            """);
        Text(command, rows.Select(r => r.Key.Tenant));
        Text(command, rows.Select(r => r.Key.Cluster));
        Times(command, rows.Select(r => r.Key.Row.Hour));
        Text(command, rows.Select(r => r.Key.Row.Namespace));
        Text(command, rows.Select(r => r.Key.Row.PodName));
        Text(command, rows.Select(r => r.Value.Item.Usage.ServiceName));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.CpuRequestCoreHours));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.CpuUsageCoreHours));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.MemoryRequestGbHours));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.MemoryUsageGbHours));
        Text(command, rows.Select(r => r.Value.Item.Usage.StorageType));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.StorageGbHours));
        Text(command, rows.Select(r => r.Value.Item.Usage.LoadBalancer));
        Numbers(command, rows.Select(r => r.Value.Item.Usage.LbRequests));
        Sequences(command, rows.Select(r => r.Value.Sequence));
        return command;
    }

    /// <summary>Deletes the results of the given cluster hours from both result tables, so the inserts that follow replace them whole.</summary>
    public static IEnumerable<NpgsqlBatchCommand> DeleteHours(IReadOnlyList<ClusterRowKey<DateTime>> hours)
    {
        foreach (var table in new[] { "pod_costs", "shared_infrastructure_allocation" })
        {
            var command = new NpgsqlBatchCommand($"""
                DELETE FROM {table} t
                USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS h(tenant_id, cluster_name, "timestamp")
                WHERE t.tenant_id = h.tenant_id AND t.cluster_name = h.cluster_name AND t."timestamp" = h."timestamp"
                """);
            Text(command, hours.Select(h => h.Tenant));
            Text(command, hours.Select(h => h.Cluster));
            Times(command, hours.Select(h => h.Row));
            yield return command;
        }
    }

    public static NpgsqlBatchCommand InsertPods(IReadOnlyList<(ClusterRowKey<DateTime> Hour, PodCostRow Row)> rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO pod_costs (tenant_id, cluster_name, "timestamp", namespace, pod_name, service_name, cpu_cost_usd, memory_cost_usd, storage_cost_usd)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::numeric[])
            """);
        Text(command, rows.Select(r => r.Hour.Tenant));
        Text(command, rows.Select(r => r.Hour.Cluster));
        Times(command, rows.Select(r => r.Hour.Row));
        Text(command, rows.Select(r => r.Row.Namespace));
        Text(command, rows.Select(r => r.Row.PodName));
        Text(command, rows.Select(r => r.Row.ServiceName));
        Numbers(command, rows.Select(r => r.Row.CpuCostUsd));
        Numbers(command, rows.Select(r => r.Row.MemoryCostUsd));
        Numbers(command, rows.Select(r => r.Row.StorageCostUsd));
        return command;
    }

    public static NpgsqlBatchCommand InsertServices(IReadOnlyList<(ClusterRowKey<DateTime> Hour, SharedAllocationRow Row)> rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO shared_infrastructure_allocation (tenant_id, cluster_name, "timestamp", resource_type, service_name,
                                                          cpu_allocation_percent, memory_allocation_percent, allocated_cost_usd)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[])
            """);
        Text(command, rows.Select(r => r.Hour.Tenant));
        Text(command, rows.Select(r => r.Hour.Cluster));
        Times(command, rows.Select(r => r.Hour.Row));
        Text(command, rows.Select(r => r.Row.ResourceType));
        Text(command, rows.Select(r => r.Row.ServiceName));
        Numbers(command, rows.Select(r => r.Row.CpuAllocationPercent));
        Numbers(command, rows.Select(r => r.Row.MemoryAllocationPercent));
        Numbers(command, rows.Select(r => r.Row.AllocatedCostUsd));
        return command;
    }

    private static void Text(NpgsqlBatchCommand command, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values.ToArray() });

    private static void Numbers(NpgsqlBatchCommand command, IEnumerable<decimal> values) =>
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric, TypedValue = values.ToArray() });

    private static void Sequences(NpgsqlBatchCommand command, IEnumerable<long> values) =>
        command.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = values.ToArray() });

    private static void Times(NpgsqlBatchCommand command, IEnumerable<DateTime> values) =>
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            TypedValue = values.Select(v => DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToArray(),
        });
}

/// <summary>A row key of one (tenant, cluster).</summary>
public readonly record struct ClusterRowKey<T>(string Tenant, string Cluster, T Row);
