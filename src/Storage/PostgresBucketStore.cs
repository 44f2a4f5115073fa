using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes buckets to service_costs (network_costs and storage_costs are views of it): each batch is
/// one multi-row upsert statement that many grains' writes share, and every row
/// carries the ingest sequence that wrote it, so an older message never replaces a newer amount.
/// Reads a service's buckets back on grain activation, overlaid with whatever is still waiting.
/// </summary>
public sealed class PostgresBucketStore(NpgsqlDataSource dataSource, ILogger<PostgresBucketStore> logger)
    : BatchingWriter<PendingKey, SequencedAmount>(logger), IBucketStore
{
    public Task WriteAsync(string tenant, string serviceName, IReadOnlyList<BucketUpdate> buckets, long sequence) =>
        EnqueueAndWaitAsync(
            buckets.Select(u => KeyValuePair.Create(new PendingKey(tenant, serviceName, u.Key), new SequencedAmount(u.Amount, sequence))).ToList(),
            ServiceKey.Format(tenant, serviceName));

    public async Task<IReadOnlyList<StoredBucket>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        var buckets = new Dictionary<BucketKey, SequencedAmount>();
        await using (var command = dataSource.CreateCommand("""
            SELECT "timestamp", cloud_provider, account_id, cost_type, breakdown, source,
                   cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, ingest_seq
            FROM service_costs
            WHERE tenant_id = $1 AND service_name = $2 AND "timestamp" >= $3
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = serviceName });
            command.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(since, DateTimeKind.Utc) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new BucketKey(reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(4), reader.GetString(5));
                buckets[key] = new SequencedAmount(new BucketAmount(reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9)), reader.GetInt64(10));
            }
        }

        // Changes not yet written are newer than what the table holds.
        foreach (var (key, amount) in Unwritten(k => k.Tenant == tenant && k.Service == serviceName && k.Bucket.Hour >= since))
        {
            if (!buckets.TryGetValue(key.Bucket, out var stored) || stored.Sequence <= amount.Sequence) buckets[key.Bucket] = amount;
        }

        return buckets.Select(b => new StoredBucket(b.Key, b.Value.Amount, b.Value.Sequence)).ToList();
    }

    public async Task<IReadOnlyList<string>> LoadServiceNamesAsync(string tenant, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand("SELECT DISTINCT service_name FROM service_costs WHERE tenant_id = $1 AND service_name <> $2"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = CostVocabulary.OverflowService });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        }

        foreach (var (key, _) in Unwritten(k => k.Tenant == tenant && k.Service != CostVocabulary.OverflowService)) names.Add(key.Service);
        return [.. names];
    }

    protected override int StripeOf(PendingKey key) => HashCode.Combine(key.Tenant, key.Service);

    protected override string GroupOf(PendingKey key) => ServiceKey.Format(key.Tenant, key.Service);

    protected override async Task WriteAsync(KeyValuePair<PendingKey, SequencedAmount>[] rows, CancellationToken cancellationToken)
    {
        // One statement, so one transaction of its own, the rollup triggers' writes included.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var upsert = BucketUpserts.ServiceCosts(rows);
        upsert.Connection = connection;
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}

public readonly record struct PendingKey(string Tenant, string Service, BucketKey Bucket);
