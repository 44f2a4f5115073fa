using CloudSentinel.Allocation;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Clusters;

/// <summary>
/// The raw inputs of one cluster by hour: absolute cost buckets and pod usage, each replaced (not
/// added to) by a later report for the same key, unless that report comes from an older ingest
/// message than the one that wrote the key. An hour's allocation is a pure function of them.
/// </summary>
public sealed class ClusterHours
{
    private readonly SortedDictionary<DateTime, ClusterHour> _hours = new();

    public IReadOnlyDictionary<DateTime, ClusterHour> Hours => _hours;

    /// <summary>Applies ingest message <paramref name="sequence"/> (0 without the ingest log).</summary>
    public AppliedInputs Apply(IEnumerable<ClusterCostUpdate> costs, IEnumerable<PodUsageUpdate> usage, long sequence = 0) =>
        Apply(costs.Select(c => new Sequenced<ClusterCostUpdate>(c, sequence)), usage.Select(u => new Sequenced<PodUsageUpdate>(u, sequence)));

    /// <summary>
    /// Applies updates, each with the sequence of the message that sent it. Returns the updates that
    /// are not stale (what the store must hold, with their sequence) and the hours whose inputs changed.
    /// </summary>
    public AppliedInputs Apply(IEnumerable<Sequenced<ClusterCostUpdate>> costs, IEnumerable<Sequenced<PodUsageUpdate>> usage)
    {
        var currentCosts = new List<Sequenced<ClusterCostUpdate>>();
        var currentUsage = new List<Sequenced<PodUsageUpdate>>();
        var hours = new HashSet<DateTime>();
        foreach (var (update, sequence) in costs)
        {
            var key = update.Key with { Hour = Utc(update.Key.Hour) };
            var change = Hour(key.Hour).SetCost(key, update.Amount, sequence);
            if (change == BucketChange.Stale) continue;
            currentCosts.Add(new Sequenced<ClusterCostUpdate>(update with { Key = key }, sequence));
            if (change == BucketChange.Changed) hours.Add(key.Hour);
        }

        foreach (var (update, sequence) in usage)
        {
            var key = update.Key with { Hour = Utc(update.Key.Hour) };
            var change = Hour(key.Hour).SetUsage(key, update.Usage, sequence);
            if (change == BucketChange.Stale) continue;
            currentUsage.Add(new Sequenced<PodUsageUpdate>(update with { Key = key }, sequence));
            if (change == BucketChange.Changed) hours.Add(key.Hour);
        }

        return new AppliedInputs(currentCosts, currentUsage, hours);
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

/// <summary>What a batch did: the rows to persist (not stale, with their sequence) and the hours whose inputs changed.</summary>
public sealed record AppliedInputs(IReadOnlyList<Sequenced<ClusterCostUpdate>> Costs, IReadOnlyList<Sequenced<PodUsageUpdate>> Usage, IReadOnlySet<DateTime> Hours);

/// <summary>One hour of one cluster: its cost buckets and its pods.</summary>
public sealed class ClusterHour(DateTime hour)
{
    private readonly Dictionary<ClusterCostKey, (ClusterCostAmount Amount, long Sequence)> _costs = new();
    private readonly Dictionary<(string Namespace, string Pod), (PodUsageAmount Usage, long Sequence)> _pods = new();

    public DateTime Hour { get; } = hour;

    public IEnumerable<ClusterCostUpdate> Costs => _costs.Select(c => new ClusterCostUpdate(c.Key, c.Value.Amount));

    public IEnumerable<PodUsageUpdate> Usage => _pods.Select(p => new PodUsageUpdate(new PodUsageKey(Hour, p.Key.Namespace, p.Key.Pod), p.Value.Usage));

    public BucketChange SetCost(ClusterCostKey key, ClusterCostAmount amount, long sequence)
    {
        var found = _costs.TryGetValue(key, out var old);
        if (found && old.Sequence > sequence) return BucketChange.Stale;
        _costs[key] = (amount, sequence);
        return found && old.Amount == amount ? BucketChange.Unchanged : BucketChange.Changed;
    }

    public BucketChange SetUsage(PodUsageKey key, PodUsageAmount usage, long sequence)
    {
        var found = _pods.TryGetValue((key.Namespace, key.PodName), out var old);
        if (found && old.Sequence > sequence) return BucketChange.Stale;
        _pods[(key.Namespace, key.PodName)] = (usage, sequence);
        return found && old.Usage == usage ? BucketChange.Unchanged : BucketChange.Changed;
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
        foreach (var (key, (amount, _)) in _costs)
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
        var pods = _pods.Select(p => p.Value.Usage.ToPodUsage(p.Key.Namespace, p.Key.Pod)).ToList();
        return (cost, pods);
    }
}
