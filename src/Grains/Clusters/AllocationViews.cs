using CloudSentinel.Allocation;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Clusters;

/// <summary>Copies the allocator's results into the wire types the gateway and the store read.</summary>
public static class AllocationViews
{
    public static SharedAllocationRow[] Rows(ClusterAllocation allocation) =>
    [
        .. allocation.Services.Select(s => new SharedAllocationRow(
            s.ResourceType, s.ServiceName, s.AllocatedCostUsd, s.CpuAllocationPercent, s.MemoryAllocationPercent)),
    ];

    public static PodCostRow[] Pods(ClusterAllocation allocation) =>
    [
        .. allocation.Pods.Select(p => new PodCostRow(
            p.Namespace, p.PodName, p.ServiceName, p.CpuCostUsd, p.MemoryCostUsd, p.StorageCostUsd, p.CpuWeightCoreHours, p.MemoryWeightGbHours)),
    ];

    public static ClusterHourView Hour(ClusterHour inputs, ClusterAllocation allocation)
    {
        var t = allocation.Totals;
        return new ClusterHourView(
            inputs.Hour,
            [.. inputs.Costs.OrderBy(c => c.Key.Component, StringComparer.Ordinal).ThenBy(c => c.Key.Pool, StringComparer.Ordinal)],
            [.. inputs.Usage.OrderBy(u => u.Key.Namespace, StringComparer.Ordinal).ThenBy(u => u.Key.PodName, StringComparer.Ordinal)],
            new AllocationTotalsView(t.NodeCpuUsd, t.NodeMemoryUsd, t.NodeOtherUsd, t.StorageUsd, t.LoadBalancerUsd, t.TotalUsd),
            Rows(allocation),
            Pods(allocation),
            [
                .. allocation.Pools.Select(p => new PoolSplitView(
                    p.ResourceType, p.Pool, p.Basis.ToString(), p.CostUsd, p.Capacity, p.UsedWeight, p.IdleWeight, p.SystemShared,
                    [.. p.Shares.Select(s => new ShareLineView(s.ServiceName, s.Weight, s.SharePercent, s.CostUsd))])),
            ]);
    }
}
