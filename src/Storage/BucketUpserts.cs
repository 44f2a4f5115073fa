using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>
/// Multi-row upserts of bucket rows into service_costs (network_costs and storage_costs are views
/// of it): each column goes as one array parameter and unnest() turns them back into rows, so a
/// chunk of any size is one statement with a fixed text. A row is only replaced by a write whose
/// ingest_seq is not older than its own (a late, redelivered message never overwrites a newer
/// amount); a write of the same sequence and values is skipped, and updated_at moves only when an
/// amount does, so a re-sent request leaves it as it was.
/// </summary>
internal static class BucketUpserts
{
    public static NpgsqlCommand ServiceCosts(KeyValuePair<PendingKey, SequencedAmount>[] rows)
    {
        var command = new NpgsqlCommand("""
            INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, ingest_seq)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::bigint[])
            ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown) DO UPDATE
            SET cost_usd = EXCLUDED.cost_usd, cpu_cost_usd = EXCLUDED.cpu_cost_usd, memory_cost_usd = EXCLUDED.memory_cost_usd,
                storage_gb = EXCLUDED.storage_gb, ingest_seq = EXCLUDED.ingest_seq,
                updated_at = CASE WHEN (service_costs.cost_usd, service_costs.cpu_cost_usd, service_costs.memory_cost_usd, service_costs.storage_gb)
                                       IS DISTINCT FROM (EXCLUDED.cost_usd, EXCLUDED.cpu_cost_usd, EXCLUDED.memory_cost_usd, EXCLUDED.storage_gb)
                                  THEN now() ELSE service_costs.updated_at END
            WHERE service_costs.ingest_seq <= EXCLUDED.ingest_seq
              AND (service_costs.ingest_seq <> EXCLUDED.ingest_seq
                   OR (service_costs.cost_usd, service_costs.cpu_cost_usd, service_costs.memory_cost_usd, service_costs.storage_gb)
                      IS DISTINCT FROM (EXCLUDED.cost_usd, EXCLUDED.cpu_cost_usd, EXCLUDED.memory_cost_usd, EXCLUDED.storage_gb))
            """);
        AddKeyColumns(command, rows);
        Add(command, rows, r => r.Key.Bucket.CostType);
        Add(command, rows, r => r.Key.Bucket.Source);
        Add(command, rows, r => r.Key.Bucket.Breakdown);
        Add(command, rows, r => r.Value.Amount.CostUsd);
        Add(command, rows, r => r.Value.Amount.CpuCostUsd);
        Add(command, rows, r => r.Value.Amount.MemoryCostUsd);
        Add(command, rows, r => r.Value.Amount.StorageGb);
        AddSequence(command, rows);
        return command;
    }

    private static void AddSequence(NpgsqlCommand command, KeyValuePair<PendingKey, SequencedAmount>[] rows) =>
        command.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = rows.Select(r => r.Value.Sequence).ToArray() });

    private static void AddKeyColumns(NpgsqlCommand command, KeyValuePair<PendingKey, SequencedAmount>[] rows)
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

    private static void Add(NpgsqlCommand command, KeyValuePair<PendingKey, SequencedAmount>[] rows, Func<KeyValuePair<PendingKey, SequencedAmount>, string> column) =>
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = rows.Select(column).ToArray() });

    private static void Add(NpgsqlCommand command, KeyValuePair<PendingKey, SequencedAmount>[] rows, Func<KeyValuePair<PendingKey, SequencedAmount>, decimal> column) =>
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric, TypedValue = rows.Select(column).ToArray() });
}
