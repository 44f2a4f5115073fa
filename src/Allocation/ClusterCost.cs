namespace CloudSentinel.Allocation;

/// <summary>
/// What one cluster cost in one hour, and how big it was. Amounts are USD for the hour and may
/// be negative (credits); they are rounded to the hour's grid, half away from zero, before allocation:
/// 1e-6 USD, or finer (to 1e-18) when an amount carries more decimals (see <see cref="UsdGrid"/>).
/// </summary>
public sealed record ClusterCost
{
    /// <summary>The CPU part of the node cost.</summary>
    public decimal NodeCpuCostUsd { get; init; }

    /// <summary>The memory part of the node cost.</summary>
    public decimal NodeMemoryCostUsd { get; init; }

    /// <summary>
    /// Node cost that the bill does not split into CPU and memory, plus cluster management fees.
    /// Shared by the combined CPU and memory share (half by each).
    /// </summary>
    public decimal NodeOtherCostUsd { get; init; }

    /// <summary>Allocatable CPU of all nodes for the hour; null when unknown (then no CPU idle).</summary>
    public decimal? CpuCapacityCoreHours { get; init; }

    /// <summary>Allocatable memory of all nodes for the hour; null when unknown (then no memory idle).</summary>
    public decimal? MemoryCapacityGbHours { get; init; }

    /// <summary>Shared volumes; entries with the same storage type are added together.</summary>
    public IReadOnlyList<StorageCost> Storage { get; init; } = [];

    /// <summary>Load balancers; entries with the same name are added together.</summary>
    public IReadOnlyList<LoadBalancerCost> LoadBalancers { get; init; } = [];
}

/// <summary>Cost of the shared volumes of one storage type in the hour.</summary>
/// <param name="ProvisionedGb">Provisioned size (over one hour, GB equals GB-hours); null when unknown.
/// It is the capacity from which idle storage is measured.</param>
public sealed record StorageCost(string StorageType, decimal CostUsd, decimal? ProvisionedGb = null);

/// <summary>Cost of one load balancer in the hour.</summary>
public sealed record LoadBalancerCost(string Name, decimal CostUsd);
