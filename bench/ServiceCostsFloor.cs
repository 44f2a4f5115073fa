using System.Diagnostics;
using CloudSentinel.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 20's floor: the same buckets as the ingest path produces, binary-COPYed straight into
/// service_costs of a database migrated like the real one (its indexes and rollup triggers), in
/// the same request-sized transactions with the same two in flight. Nothing a write path into
/// service_costs does can be cheaper, so the ingest is reported against it as well as against
/// `\copy` into an unindexed table.
/// </summary>
public static class ServiceCostsFloor
{
    public readonly record struct Bucket(string Tenant, DateTime Hour, string Service, string CostType, string Breakdown, decimal CostUsd, decimal CpuCostUsd, decimal StorageGb);

    /// <summary>What the floor took: wall time, and the WAL it wrote per bucket.</summary>
    public sealed record Result(TimeSpan Elapsed, double WalBytesPerBucket);

    public static async Task<Result> RunAsync(string server, string databaseName, IReadOnlyList<Bucket[]> chunks)
    {
        var database = await BenchStack.CreateDatabaseAsync(server, databaseName);
        await using var dataSource = NpgsqlDataSource.Create(database);
        await SchemaMigrator.MigrateAsync(dataSource, NullLogger.Instance);
        var walBefore = await WalPositionAsync(dataSource);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (chunk, _) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync(
                """COPY service_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown, cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, ingest_seq) FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var b in chunk)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(b.Tenant, NpgsqlDbType.Text);
                    await copy.WriteAsync(b.Hour, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(b.Service, NpgsqlDbType.Text);
                    await copy.WriteAsync("aws", NpgsqlDbType.Text);
                    await copy.WriteAsync("123456789012", NpgsqlDbType.Text);
                    await copy.WriteAsync(b.CostType, NpgsqlDbType.Text);
                    await copy.WriteAsync("", NpgsqlDbType.Text);
                    await copy.WriteAsync(b.Breakdown, NpgsqlDbType.Text);
                    await copy.WriteAsync(b.CostUsd, NpgsqlDbType.Numeric);
                    await copy.WriteAsync(b.CpuCostUsd, NpgsqlDbType.Numeric);
                    await copy.WriteAsync(0m, NpgsqlDbType.Numeric);
                    await copy.WriteAsync(b.StorageGb, NpgsqlDbType.Numeric);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
        });
        var elapsed = clock.Elapsed;
        var buckets = chunks.Sum(c => c.Length);
        return new Result(elapsed, (await WalPositionAsync(dataSource) - walBefore) / (double)buckets);
    }

    /// <summary>The server's WAL insert position in bytes (the WAL is cluster-wide: measure with nothing else writing).</summary>
    public static async Task<long> WalPositionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Percentile <paramref name="p"/> (0–100) of a list, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
