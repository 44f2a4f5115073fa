using CloudSentinel.Allocation;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Clusters;

/// <summary>
/// Turns one cluster hour's allocation into absolute service buckets with source
/// <c>shared:{cluster}</c>, so that service totals, gauges, budgets and anomalies include shared
/// cost exactly once: kubernetes as compute (with its CPU and memory parts), storage as storage by
/// storage type, load balancers as network without a direction.
/// </summary>
public static class SharedCostBuckets
{
    /// <summary>Each service's buckets of the hour; amounts that are zero are left out.</summary>
    public static Dictionary<string, Dictionary<BucketKey, BucketAmount>> From(
        string cluster, DateTime hour, string provider, ClusterAllocation allocation)
    {
        var services = new Dictionary<string, Dictionary<BucketKey, BucketAmount>>(StringComparer.Ordinal);
        var source = CostVocabulary.SharedSource(cluster);
        void Add(string service, string costType, string breakdown, BucketAmount amount)
        {
            if (!services.TryGetValue(service, out var buckets))
            {
                buckets = new Dictionary<BucketKey, BucketAmount>();
                services.Add(service, buckets);
            }

            var key = new BucketKey(provider, "", costType, hour, breakdown, source);
            buckets[key] = buckets.TryGetValue(key, out var existing) ? existing + amount : amount;
        }

        foreach (var pool in allocation.Pools)
        {
            foreach (var share in pool.Shares)
            {
                switch (pool.ResourceType, pool.Pool)
                {
                    case (AllocationNames.Kubernetes, AllocationNames.CpuPool):
                        Add(share.ServiceName, "compute", "", new BucketAmount(share.CostUsd, share.CostUsd, 0m, 0m));
                        break;
                    case (AllocationNames.Kubernetes, _):
                        Add(share.ServiceName, "compute", "", new BucketAmount(share.CostUsd, 0m, share.CostUsd, 0m));
                        break;
                    case (AllocationNames.Storage, _):
                        // The service's own GB-hours of the type; over one hour that is its GB.
                        Add(share.ServiceName, "storage", pool.Pool, new BucketAmount(share.CostUsd, 0m, 0m, share.Weight));
                        break;
                    default:
                        Add(share.ServiceName, "network", "", new BucketAmount(share.CostUsd, 0m, 0m, 0m));
                        break;
                }
            }
        }

        foreach (var buckets in services.Values)
        {
            foreach (var key in buckets.Where(b => b.Value == default).Select(b => b.Key).ToList()) buckets.Remove(key);
        }

        foreach (var empty in services.Where(s => s.Value.Count == 0).Select(s => s.Key).ToList()) services.Remove(empty);
        return services;
    }

    /// <summary>
    /// The updates that take each service from <paramref name="before"/> to <paramref name="after"/>:
    /// changed and new buckets, and an explicit zero for every bucket a service no longer has, because
    /// service buckets are absolute and a bucket that is not re-sent keeps its old value.
    /// </summary>
    public static Dictionary<string, List<BucketUpdate>> Changes(
        IReadOnlyDictionary<string, Dictionary<BucketKey, BucketAmount>> before,
        IReadOnlyDictionary<string, Dictionary<BucketKey, BucketAmount>> after)
    {
        var changes = new Dictionary<string, List<BucketUpdate>>(StringComparer.Ordinal);
        void Add(string service, BucketKey key, BucketAmount amount)
        {
            if (!changes.TryGetValue(service, out var list))
            {
                list = [];
                changes.Add(service, list);
            }

            list.Add(new BucketUpdate(key, amount));
        }

        foreach (var (service, buckets) in after)
        {
            var old = before.GetValueOrDefault(service);
            foreach (var (key, amount) in buckets)
            {
                if (old is null || !old.TryGetValue(key, out var previous) || previous != amount) Add(service, key, amount);
            }
        }

        foreach (var (service, buckets) in before)
        {
            var now = after.GetValueOrDefault(service);
            foreach (var key in buckets.Keys)
            {
                if (now is null || !now.ContainsKey(key)) Add(service, key, default);
            }
        }

        return changes;
    }
}
