using System.Collections.Concurrent;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Persistence;

/// <summary>
/// The store used when no PostgreSQL is configured: buckets survive grain deactivation but not a
/// silo restart. The silo says so loudly at startup.
/// </summary>
public sealed class InMemoryBucketStore : IBucketStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<BucketKey, BucketAmount>> _services = new();

    public void Enqueue(string tenant, string serviceName, IReadOnlyList<BucketUpdate> changed)
    {
        var buckets = _services.GetOrAdd(ServiceKey.Format(tenant, serviceName), _ => new());
        foreach (var update in changed) buckets[update.Key] = update.Amount;
    }

    public Task<IReadOnlyList<BucketUpdate>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        IReadOnlyList<BucketUpdate> result = _services.TryGetValue(ServiceKey.Format(tenant, serviceName), out var buckets)
            ? buckets.Where(b => b.Key.Hour >= since).Select(b => new BucketUpdate(b.Key, b.Value)).ToList()
            : [];
        return Task.FromResult(result);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
