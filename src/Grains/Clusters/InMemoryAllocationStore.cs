using System.Collections.Concurrent;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;

namespace CloudSentinel.Grains.Clusters;

/// <summary>
/// The store used when no PostgreSQL is configured: inputs and what was sent to services survive
/// grain deactivation but not a silo restart, like <see cref="Persistence.InMemoryBucketStore"/>.
/// </summary>
public sealed class InMemoryAllocationStore : IAllocationStore
{
    private readonly ConcurrentDictionary<string, Cluster> _clusters = new(StringComparer.Ordinal);

    public void EnqueueInputs(string tenant, string cluster, IReadOnlyList<Sequenced<ClusterCostUpdate>> costs, IReadOnlyList<Sequenced<PodUsageUpdate>> usage)
    {
        var state = _clusters.GetOrAdd(ServiceKey.Format(tenant, cluster), _ => new Cluster());
        lock (state)
        {
            foreach (var cost in costs) state.Costs[cost.Item.Key] = cost;
            foreach (var pod in usage) state.Usage[pod.Item.Key] = pod;
        }
    }

    public void EnqueueAllocation(string tenant, string cluster, AllocatedHour hour)
    {
        var state = _clusters.GetOrAdd(ServiceKey.Format(tenant, cluster), _ => new Cluster());
        lock (state) state.Published[hour.Hour] = hour.ServiceBuckets.ToDictionary(s => s.Key, s => new Dictionary<BucketKey, BucketAmount>(s.Value), StringComparer.Ordinal);
    }

    public Task<ClusterRestore> LoadAsync(string tenant, string cluster, DateTime since, DateTime until, CancellationToken cancellationToken)
    {
        if (!_clusters.TryGetValue(ServiceKey.Format(tenant, cluster), out var state)) return Task.FromResult(new ClusterRestore([], [], new Dictionary<DateTime, Dictionary<string, Dictionary<BucketKey, BucketAmount>>>()));
        lock (state)
        {
            return Task.FromResult(new ClusterRestore(
                [.. state.Costs.Where(c => c.Key.Hour >= since && c.Key.Hour < until).Select(c => c.Value)],
                [.. state.Usage.Where(u => u.Key.Hour >= since && u.Key.Hour < until).Select(u => u.Value)],
                state.Published.Where(p => p.Key >= since && p.Key < until).ToDictionary(p => p.Key, p => p.Value)));
        }
    }

    public Task<IReadOnlyList<string>> LoadClusterNamesAsync(string tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _clusters.Keys.Select(ServiceKey.Parse).Where(k => k.Tenant == tenant && k.ServiceName != CostVocabulary.OverflowService).Select(k => k.ServiceName)]);

    public Task CommitAsync(string tenant, string cluster) => Task.CompletedTask;

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed class Cluster
    {
        public Dictionary<ClusterCostKey, Sequenced<ClusterCostUpdate>> Costs { get; } = new();
        public Dictionary<PodUsageKey, Sequenced<PodUsageUpdate>> Usage { get; } = new();
        public Dictionary<DateTime, Dictionary<string, Dictionary<BucketKey, BucketAmount>>> Published { get; } = new();
    }
}
