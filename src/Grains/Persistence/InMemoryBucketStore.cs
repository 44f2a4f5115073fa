using System.Collections.Concurrent;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;

namespace CloudSentinel.Grains.Persistence;

/// <summary>
/// The store used when no PostgreSQL is configured: buckets survive grain deactivation but not a
/// silo restart. The silo says so loudly at startup. <see cref="Merge"/> is the in-memory mode's
/// counterpart of the gateway's merge into service_costs (through <c>InMemoryMergeGrain</c>).
/// </summary>
public sealed class InMemoryBucketStore : IBucketStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<BucketKey, SequencedAmount>> _services = new();

    /// <summary>Keeps the buckets as written by <paramref name="sequence"/>; a bucket of a newer sequence stays.</summary>
    public void Merge(string tenant, string serviceName, IReadOnlyList<BucketUpdate> buckets, long sequence)
    {
        var stored = _services.GetOrAdd(ServiceKey.Format(tenant, serviceName), _ => new());
        foreach (var update in buckets)
        {
            stored.AddOrUpdate(update.Key, new SequencedAmount(update.Amount, sequence),
                (_, old) => old.Sequence > sequence ? old : new SequencedAmount(update.Amount, sequence));
        }
    }

    public Task<IReadOnlyList<StoredBucket>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredBucket> result = _services.TryGetValue(ServiceKey.Format(tenant, serviceName), out var buckets)
            ? buckets.Where(b => b.Key.Hour >= since).Select(b => new StoredBucket(b.Key, b.Value.Amount, b.Value.Sequence)).ToList()
            : [];
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<string>> LoadServiceNamesAsync(string tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _services.Keys.Select(ServiceKey.Parse).Where(k => k.Tenant == tenant && k.ServiceName != CostVocabulary.OverflowService).Select(k => k.ServiceName)]);
}
