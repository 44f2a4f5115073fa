using CloudSentinel.Allocation;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Clusters;

/// <summary>
/// The raw inputs of one cluster by hour: absolute cost buckets and pod usage, each replaced (not
/// added to) by a later report for the same key. An hour's allocation is a pure function of them.
/// </summary>
public sealed class ClusterHours
{
    private readonly SortedDictionary<DateTime, ClusterHour> _hours = new();

    public IReadOnlyDictionary<DateTime, ClusterHour> Hours => _hours;

    /// <summary>Applies a batch; returns the updates that changed something and the hours they touched.</summary>
    public AppliedInputs Apply(IEnumerable<ClusterCostUpdate> costs, IEnumerable<PodUsageUpdate> usage)
    {
        var changedCosts = new List<ClusterCostUpdate>();
        var changedUsage = new List<PodUsageUpdate>();
        var hours = new HashSet<DateTime>();
        foreach (var update in costs)
        {
            var key = update.Key with { Hour = Utc(update.Key.Hour) };
            if (Hour(key.Hour).SetCost(key, update.Amount))
            {
                changedCosts.Add(update with { Key = key });
                hours.Add(key.Hour);
            }
        }

        foreach (var update in usage)
        {
            var key = update.Key with { Hour = Utc(update.Key.Hour) };
            if (Hour(key.Hour).SetUsage(key, update.Usage))
            {
                changedUsage.Add(update with { Key = key });
                hours.Add(key.Hour);
            }
        }

        return new AppliedInputs(changedCosts, changedUsage, hours);
    }

    public void PruneBefore(DateTime cutoff)
    {
        foreach (var hour in _hours.Keys.TakeWhile(h => h < cutoff).ToList()) _hours.Remove(hour);
    }

    /// <summary>The newest hour with inputs that started before <paramref name="before"/>.</summary>
    public DateTime? LatestBefore(DateTime before) =>
        _hours.Keys.Reverse().Where(h => h < before).Select(h => (DateTime?)h).FirstOrDefault();

    private ClusterHour Hour(DateTime hour)
    {
        if (!_hours.TryGetValue(hour, out var inputs))
        {
            inputs = new ClusterHour(hour);
            _hours.Add(hour, inputs);
        }

        return inputs;
    }

    private static DateTime Utc(DateTime hour) => DateTime.SpecifyKind(hour, DateTimeKind.Utc);
}

/// <summary>What a batch changed: the rows to persist and the hours to recompute.</summary>
public sealed record AppliedInputs(IReadOnlyList<ClusterCostUpdate> Costs, IReadOnlyList<PodUsageUpdate> Usage, IReadOnlySet<DateTime> Hours);

/// <summary>One hour of one cluster: its cost buckets and its pods.</summary>
public sealed class ClusterHour(DateTime hour)
{
    private readonly Dictionary<ClusterCostKey, ClusterCostAmount> _costs = new();
    private readonly Dictionary<(string Namespace, string Pod), PodUsageAmount> _pods = new();

    public DateTime Hour { get; } = hour;

    public IEnumerable<ClusterCostUpdate> Costs => _costs.Select(c => new ClusterCostUpdate(c.Key, c.Value));

    public IEnumerable<PodUsageUpdate> Usage => _pods.Select(p => new PodUsageUpdate(new PodUsageKey(Hour, p.Key.Namespace, p.Key.Pod), p.Value));

    public bool SetCost(ClusterCostKey key, ClusterCostAmount amount)
    {
        if (_costs.TryGetValue(key, out var old) && old == amount) return false;
        _costs[key] = amount;
        return true;
    }

    public bool SetUsage(PodUsageKey key, PodUsageAmount usage)
    {
        if (_pods.TryGetValue((key.Namespace, key.PodName), out var old) && old == usage) return false;
        _pods[(key.Namespace, key.PodName)] = usage;
        return true;
    }

    /// <summary>
    /// The cloud the hour's cost was billed by, for the cost_per_service gauge of the allocated
    /// amounts: the one provider of its buckets, or "other" when there are none or several.
    /// </summary>
    public string Provider
    {
        get
        {
            var providers = _costs.Keys.Select(k => k.Provider).Distinct(StringComparer.Ordinal).Take(2).ToList();
            return providers.Count == 1 ? providers[0] : "other";
        }
    }

    /// <summary>The allocator's view of the hour.</summary>
    public (ClusterCost Cost, List<PodUsage> Pods) ToAllocationInputs()
    {
        decimal cpu = 0, memory = 0, other = 0, cpuCapacity = 0, memoryCapacity = 0;
        var storage = new List<StorageCost>();
        var balancers = new List<LoadBalancerCost>();
        foreach (var (key, amount) in _costs)
        {
            switch (key.Component)
            {
                case ClusterComponents.Storage:
                    storage.Add(new StorageCost(key.Pool, amount.CostUsd, amount.StorageGb > 0 ? amount.StorageGb : null));
                    break;
                case ClusterComponents.LoadBalancer:
                    balancers.Add(new LoadBalancerCost(key.Pool, amount.CostUsd));
                    break;
                default:
                    cpu += amount.CpuCostUsd;
                    memory += amount.MemoryCostUsd;
                    other += amount.CostUsd - amount.CpuCostUsd - amount.MemoryCostUsd;
                    cpuCapacity += amount.CpuCapacityCoreHours;
                    memoryCapacity += amount.MemoryCapacityGbHours;
                    break;
            }
        }

        var cost = new ClusterCost
        {
            NodeCpuCostUsd = cpu,
            NodeMemoryCostUsd = memory,
            NodeOtherCostUsd = other,
            // Zero means no node stated its size: without a capacity there is no idle part to measure.
            CpuCapacityCoreHours = cpuCapacity > 0 ? cpuCapacity : null,
            MemoryCapacityGbHours = memoryCapacity > 0 ? memoryCapacity : null,
            Storage = storage,
            LoadBalancers = balancers,
        };
        var pods = _pods.Select(p => new PodUsage
        {
            Namespace = p.Key.Namespace,
            PodName = p.Key.Pod,
            ServiceName = p.Value.ServiceName,
            CpuRequestCoreHours = p.Value.CpuRequestCoreHours,
            CpuUsageCoreHours = p.Value.CpuUsageCoreHours,
            MemoryRequestGbHours = p.Value.MemoryRequestGbHours,
            MemoryUsageGbHours = p.Value.MemoryUsageGbHours,
            StorageType = p.Value.StorageType,
            StorageGbHours = p.Value.StorageGbHours,
            LoadBalancer = p.Value.LoadBalancer,
            LbRequests = p.Value.LbRequests,
        }).ToList();
        return (cost, pods);
    }
}
