using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes changed buckets to service_costs, network_costs and storage_costs: each batch is one
/// transaction of multi-row upserts (one round trip per table), and reads a service's buckets back
/// on grain activation, overlaid with whatever is still waiting to be written.
/// </summary>
public sealed class PostgresBucketStore(NpgsqlDataSource dataSource, ILogger<PostgresBucketStore> logger)
    : BatchingWriter<PendingKey, BucketAmount>(logger), IBucketStore
{
    public void Enqueue(string tenant, string serviceName, IReadOnlyList<BucketUpdate> changed) =>
        Enqueue(changed.Select(u => KeyValuePair.Create(new PendingKey(tenant, serviceName, u.Key), u.Amount)));

    public async Task<IReadOnlyList<BucketUpdate>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        var buckets = new Dictionary<BucketKey, BucketAmount>();
        await using (var command = dataSource.CreateCommand("""
            SELECT "timestamp", cloud_provider, account_id, cost_type, breakdown, source,
                   cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb
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
                buckets[key] = new BucketAmount(reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9));
            }
        }

        // Changes not yet written are newer than what the table holds.
        foreach (var (key, amount) in Unwritten(k => k.Tenant == tenant && k.Service == serviceName && k.Bucket.Hour >= since))
        {
            buckets[key.Bucket] = amount;
        }

        return buckets.Select(b => new BucketUpdate(b.Key, b.Value)).ToList();
    }

    protected override int StripeOf(PendingKey key) => HashCode.Combine(key.Tenant, key.Service);

    protected override async Task WriteAsync(KeyValuePair<PendingKey, BucketAmount>[] rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(BucketUpserts.ServiceCosts(rows));
            var network = rows.Where(r => r.Key.Bucket.CostType == "network" && r.Key.Bucket.Breakdown.Length > 0).ToArray();
            if (network.Length > 0) batch.BatchCommands.Add(BucketUpserts.NetworkCosts(network));
            var storage = rows.Where(r => r.Key.Bucket.CostType == "storage").ToArray();
            if (storage.Length > 0) batch.BatchCommands.Add(BucketUpserts.StorageCosts(storage));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

public readonly record struct PendingKey(string Tenant, string Service, BucketKey Bucket);
