using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Reads a service's buckets back from service_costs on grain activation, with the sequence that
/// wrote each. Nothing here writes: the ingest journal merges every request's buckets in the
/// request's own transaction (<c>BucketMerge</c>), before any grain hears of them.
/// </summary>
public sealed class PostgresBucketStore(NpgsqlDataSource dataSource) : IBucketStore
{

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

        return [.. names];
    }
}
