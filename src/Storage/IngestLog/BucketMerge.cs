using CloudSentinel.Grains.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// Writes folded buckets into service_costs inside the caller's transaction, set-based: one binary
/// COPY into a temporary staging table and one INSERT … SELECT … ORDER BY key ON CONFLICT. The key
/// order makes any two merges lock shared rows in the same order, so they never deadlock. A row is
/// replaced only by a merge whose sequence is not older than its own (the newest request wins,
/// whichever commits first); a merge of the same sequence and values is skipped, and updated_at
/// moves only when an amount does, so a resent request leaves every amount and timestamp as it was.
/// Within one call every key occurs once (the aggregators sum a request per key).
/// </summary>
public static class BucketMerge
{
    // Temporary, so not WAL-logged; dropped at commit, since a pooled connection is reset anyway.
    private const string CreateStaging = """
        CREATE TEMP TABLE ingest_staging (
            tenant_id text NOT NULL, "timestamp" timestamptz NOT NULL, service_name text NOT NULL, cloud_provider text NOT NULL,
            account_id text NOT NULL, cost_type text NOT NULL, source text NOT NULL, breakdown text NOT NULL,
            cost_usd numeric NOT NULL, cpu_cost_usd numeric NOT NULL, memory_cost_usd numeric NOT NULL, storage_gb numeric NOT NULL
        ) ON COMMIT DROP
        """;

    private const string Merge = """
        INSERT INTO service_costs AS c (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                                        cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, ingest_seq)
        SELECT tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
               cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, $1
        FROM ingest_staging
        ORDER BY tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown
        ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown) DO UPDATE
        SET cost_usd = EXCLUDED.cost_usd, cpu_cost_usd = EXCLUDED.cpu_cost_usd, memory_cost_usd = EXCLUDED.memory_cost_usd,
            storage_gb = EXCLUDED.storage_gb, ingest_seq = EXCLUDED.ingest_seq,
            updated_at = CASE WHEN (c.cost_usd, c.cpu_cost_usd, c.memory_cost_usd, c.storage_gb)
                                   IS DISTINCT FROM (EXCLUDED.cost_usd, EXCLUDED.cpu_cost_usd, EXCLUDED.memory_cost_usd, EXCLUDED.storage_gb)
                              THEN now() ELSE c.updated_at END
        WHERE c.ingest_seq <= EXCLUDED.ingest_seq
          AND (c.ingest_seq <> EXCLUDED.ingest_seq
               OR (c.cost_usd, c.cpu_cost_usd, c.memory_cost_usd, c.storage_gb)
                  IS DISTINCT FROM (EXCLUDED.cost_usd, EXCLUDED.cpu_cost_usd, EXCLUDED.memory_cost_usd, EXCLUDED.storage_gb))
        """;

    /// <summary>Takes the request's sequence: one number from ingest_log's own sequence, newer than every row the log ever held.</summary>
    public static async Task<long> NextSequenceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('ingest_log', 'seq'))", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
    }

    /// <summary>Merges the batches' buckets as written by <paramref name="sequence"/>; returns the rows inserted or changed.</summary>
    public static async Task<int> MergeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<CostBatch> batches, long sequence)
    {
        await using (var create = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(CancellationToken.None);
        }

        var staged = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            """COPY ingest_staging (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown, cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb) FROM STDIN (FORMAT BINARY)""",
            CancellationToken.None))
        {
            foreach (var batch in batches)
            {
                foreach (var (key, amount) in batch.Updates)
                {
                    await copy.StartRowAsync(CancellationToken.None);
                    await copy.WriteAsync(batch.Tenant, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(DateTime.SpecifyKind(key.Hour, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, CancellationToken.None);
                    await copy.WriteAsync(batch.ServiceName, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(key.Provider, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(key.AccountId, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(key.CostType, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(key.Source, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(key.Breakdown, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(amount.CostUsd, NpgsqlDbType.Numeric, CancellationToken.None);
                    await copy.WriteAsync(amount.CpuCostUsd, NpgsqlDbType.Numeric, CancellationToken.None);
                    await copy.WriteAsync(amount.MemoryCostUsd, NpgsqlDbType.Numeric, CancellationToken.None);
                    await copy.WriteAsync(amount.StorageGb, NpgsqlDbType.Numeric, CancellationToken.None);
                    staged++;
                }
            }

            await copy.CompleteAsync(CancellationToken.None);
        }

        if (staged == 0) return 0;
        await using var merge = new NpgsqlCommand(Merge, connection, transaction);
        merge.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = sequence });
        return await merge.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
