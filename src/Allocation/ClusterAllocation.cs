namespace CloudSentinel.Allocation;

/// <summary>
/// The split of one cluster's hour. Every amount is a multiple of 1e-6 USD; per resource type the
/// service rows add up exactly to <see cref="Totals"/>, and each service's pods add up exactly to
/// its kubernetes plus storage rows.
/// </summary>
/// <param name="Services">One row per (resource type, service) that has a non-zero amount or share,
/// ordered by resource type (kubernetes, storage, load_balancer), then ordinal service name.</param>
/// <param name="Pods">Every input pod, ordered by namespace, then pod name (ordinal).</param>
/// <param name="Pools">How each pool was split and why: the explanation behind the rows.</param>
public sealed record ClusterAllocation(
    AllocationTotals Totals,
    IReadOnlyList<ServiceAllocation> Services,
    IReadOnlyList<PodAllocation> Pods,
    IReadOnlyList<PoolSplit> Pools);

/// <summary>The hour's cluster cost after rounding the inputs to 1e-6 USD: what the rows add up to.</summary>
public sealed record AllocationTotals(
    decimal NodeCpuUsd,
    decimal NodeMemoryUsd,
    decimal NodeOtherUsd,
    decimal StorageUsd,
    decimal LoadBalancerUsd)
{
    public decimal KubernetesUsd => NodeCpuUsd + NodeMemoryUsd + NodeOtherUsd;
    public decimal TotalUsd => KubernetesUsd + StorageUsd + LoadBalancerUsd;
}

/// <summary>A row of <c>shared_infrastructure_allocation</c>.</summary>
/// <param name="CpuAllocationPercent">The service's share of the CPU pool in percent (kubernetes rows only).</param>
/// <param name="MemoryAllocationPercent">The service's share of the memory pool in percent (kubernetes rows only).</param>
public sealed record ServiceAllocation(
    string ResourceType,
    string ServiceName,
    decimal AllocatedCostUsd,
    decimal CpuAllocationPercent,
    decimal MemoryAllocationPercent);

/// <summary>A row of <c>pod_costs</c>, with the weights that produced it.</summary>
/// <param name="CpuCostUsd">Share of the CPU pool (node CPU cost plus half of the other node cost).</param>
/// <param name="MemoryCostUsd">Share of the memory pool (node memory cost plus the other half).</param>
/// <param name="CpuWeightCoreHours">max(request, usage) of CPU.</param>
/// <param name="MemoryWeightGbHours">max(request, usage) of memory.</param>
public sealed record PodAllocation(
    string Namespace,
    string PodName,
    string ServiceName,
    decimal CpuCostUsd,
    decimal MemoryCostUsd,
    decimal StorageCostUsd,
    decimal CpuWeightCoreHours,
    decimal MemoryWeightGbHours);
