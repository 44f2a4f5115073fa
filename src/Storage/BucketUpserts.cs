using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>
/// Multi-row upserts of bucket rows: each column goes as one array parameter and unnest() turns
/// them back into rows, so a chunk of any size is one statement with a fixed text. Rows whose
/// values did not change are not rewritten.
/// </summary>
internal static class BucketUpserts
{
    public static NpgsqlBatchCommand ServiceCosts(KeyValuePair<PendingKey, BucketAmount>[] rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[])
            ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown) DO UPDATE
            SET cost_usd = EXCLUDED.cost_usd, cpu_cost_usd = EXCLUDED.cpu_cost_usd, memory_cost_usd = EXCLUDED.memory_cost_usd,
                storage_gb = EXCLUDED.storage_gb, updated_at = now()
            WHERE (service_costs.cost_usd, service_costs.cpu_cost_usd, service_costs.memory_cost_usd, service_costs.storage_gb)
                  IS DISTINCT FROM (EXCLUDED.cost_usd, EXCLUDED.cpu_cost_usd, EXCLUDED.memory_cost_usd, EXCLUDED.storage_gb)
            """);
        AddKeyColumns(command, rows);
        Add(command, rows, r => r.Key.Bucket.CostType);
        Add(command, rows, r => r.Key.Bucket.Source);
        Add(command, rows, r => r.Key.Bucket.Breakdown);
        Add(command, rows, r => r.Value.CostUsd);
        Add(command, rows, r => r.Value.CpuCostUsd);
        Add(command, rows, r => r.Value.MemoryCostUsd);
        Add(command, rows, r => r.Value.StorageGb);
        return command;
    }

    public static NpgsqlBatchCommand NetworkCosts(KeyValuePair<PendingKey, BucketAmount>[] rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO network_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, source, direction, cost_usd)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[])
            ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, source, direction) DO UPDATE
            SET cost_usd = EXCLUDED.cost_usd, updated_at = now()
            WHERE network_costs.cost_usd IS DISTINCT FROM EXCLUDED.cost_usd
            """);
        AddKeyColumns(command, rows);
        Add(command, rows, r => r.Key.Bucket.Source);
        Add(command, rows, r => r.Key.Bucket.Breakdown);
        Add(command, rows, r => r.Value.CostUsd);
        return command;
    }

    public static NpgsqlBatchCommand StorageCosts(KeyValuePair<PendingKey, BucketAmount>[] rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO storage_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, source, storage_type, storage_gb, cost_usd)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::numeric[])
            ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, source, storage_type) DO UPDATE
            SET storage_gb = EXCLUDED.storage_gb, cost_usd = EXCLUDED.cost_usd, updated_at = now()
            WHERE (storage_costs.storage_gb, storage_costs.cost_usd) IS DISTINCT FROM (EXCLUDED.storage_gb, EXCLUDED.cost_usd)
            """);
        AddKeyColumns(command, rows);
        Add(command, rows, r => r.Key.Bucket.Source);
        Add(command, rows, r => r.Key.Bucket.Breakdown.Length == 0 ? SnapshotBuilder.UnspecifiedStorageType : r.Key.Bucket.Breakdown);
        Add(command, rows, r => r.Value.StorageGb);
        Add(command, rows, r => r.Value.CostUsd);
        return command;
    }

    private static void AddKeyColumns(NpgsqlBatchCommand command, KeyValuePair<PendingKey, BucketAmount>[] rows)
    {
        Add(command, rows, r => r.Key.Tenant);
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            TypedValue = rows.Select(r => DateTime.SpecifyKind(r.Key.Bucket.Hour, DateTimeKind.Utc)).ToArray(),
        });
        Add(command, rows, r => r.Key.Service);
        Add(command, rows, r => r.Key.Bucket.Provider);
        Add(command, rows, r => r.Key.Bucket.AccountId);
    }

    private static void Add(NpgsqlBatchCommand command, KeyValuePair<PendingKey, BucketAmount>[] rows, Func<KeyValuePair<PendingKey, BucketAmount>, string> column) =>
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = rows.Select(column).ToArray() });

    private static void Add(NpgsqlBatchCommand command, KeyValuePair<PendingKey, BucketAmount>[] rows, Func<KeyValuePair<PendingKey, BucketAmount>, decimal> column) =>
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric, TypedValue = rows.Select(column).ToArray() });
}
