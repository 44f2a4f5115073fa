using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Collects the cluster cost records and pod usage of one request into absolute hourly inputs per
/// (tenant, cluster), like <see cref="BucketAggregator"/> does for services: within a request the
/// reports for one key add up, and the sum replaces what an earlier request said for that key.
/// </summary>
public sealed class ClusterInputAggregator
{
    private readonly Dictionary<(string Tenant, string Cluster), Inputs> _clusters = new();

    public int ClusterCount => _clusters.Count;

    public int BucketCount => _clusters.Values.Sum(c => c.Costs.Count + c.Usage.Count);

    public void Add(CostRecord record, ClusterRoute route)
    {
        var inputs = For(record.Tenant, route.Cluster);
        var (cost, cpu, memory) = (record.CostUsd, record.CpuCostUsd ?? 0m, record.MemoryCostUsd ?? 0m);
        var storageGb = route.Component == ClusterComponents.Storage ? record.StorageGb ?? 0m : 0m;
        HourlySpread.Spread(record.PeriodStart, record.PeriodEnd, (hour, fraction) =>
        {
            var key = new ClusterCostKey(record.Provider, record.AccountId, record.CostType, route.Component, route.Pool, hour, record.Source);
            // GB is a level held in every hour; capacities are core-hours and GB-hours, spread like amounts.
            var amount = new ClusterCostAmount(fraction.Of(cost), fraction.Of(cpu), fraction.Of(memory), storageGb,
                fraction.Of(route.CpuCapacityCoreHours), fraction.Of(route.MemoryCapacityGbHours));
            inputs.Costs[key] = inputs.Costs.TryGetValue(key, out var existing) ? existing + amount : amount;
        });
    }

    public void Add(UsageRecord record)
    {
        var inputs = For(record.Tenant, record.ClusterName);
        HourlySpread.Spread(record.PeriodStart, record.PeriodEnd, (hour, fraction) =>
        {
            var key = PodUsageKey.Of(hour, record.Pod);
            var usage = record.Pod.Scaled(fraction.Of);
            // Two reports of one pod hour in a request (two half hours) add up; names come from the last one.
            inputs.Usage[key] = inputs.Usage.TryGetValue(key, out var existing) ? existing.Plus(usage) : usage;
        });
    }

    public IEnumerable<ClusterInputBatch> Batches() =>
        _clusters.Select(pair => new ClusterInputBatch(
            pair.Key.Tenant,
            pair.Key.Cluster,
            [.. pair.Value.Costs.Select(c => new ClusterCostUpdate(c.Key, c.Value))],
            [.. pair.Value.Usage.Select(u => new PodUsageUpdate(u.Key, PodUsageAmount.Of(u.Value)))]));

    private Inputs For(string tenant, string cluster)
    {
        if (!_clusters.TryGetValue((tenant, cluster), out var inputs))
        {
            inputs = new Inputs();
            _clusters.Add((tenant, cluster), inputs);
        }

        return inputs;
    }

    private sealed class Inputs
    {
        public Dictionary<ClusterCostKey, ClusterCostAmount> Costs { get; } = new();
        public Dictionary<PodUsageKey, PodUsage> Usage { get; } = new();
    }
}
