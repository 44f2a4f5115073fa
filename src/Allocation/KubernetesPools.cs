namespace CloudSentinel.Allocation;

/// <summary>The node cost, split as a CPU pool and a memory pool.</summary>
internal static class KubernetesPools
{
    public static (PoolResult Cpu, PoolResult Memory) Split(ClusterCost cost, IReadOnlyList<PodRow> pods, AllocationPolicy policy, UsdGrid grid)
    {
        // A pod's part of the other node cost is the mean of its CPU and memory shares, which is
        // the same as adding one half to each pool. The odd unit of the grid, if any, goes to CPU.
        var other = LargestRemainder.Split(grid.ToUnits(cost.NodeOtherCostUsd), [1, 1]);
        var cpuCost = grid.Round(cost.NodeCpuCostUsd) + grid.FromUnits(other[0]);
        var memoryCost = grid.Round(cost.NodeMemoryCostUsd) + grid.FromUnits(other[1]);

        var cpuMembers = pods.Select((pod, i) => new PoolMember(i, pod.Service, pod.IsSystem, pod.CpuWeight)).ToList();
        var memoryMembers = pods.Select((pod, i) => new PoolMember(i, pod.Service, pod.IsSystem, pod.MemoryWeight)).ToList();

        var cpu = PoolSplitter.Split(
            new PoolHeader(AllocationNames.Kubernetes, AllocationNames.CpuPool, ShareBasis.CpuCoreHours, cpuCost, cost.CpuCapacityCoreHours),
            cpuMembers,
            PoolSplitter.IdleWeight(policy, cost.CpuCapacityCoreHours, cpuMembers),
            policy.ShareSystemNamespaces,
            grid);
        var memory = PoolSplitter.Split(
            new PoolHeader(AllocationNames.Kubernetes, AllocationNames.MemoryPool, ShareBasis.MemoryGbHours, memoryCost, cost.MemoryCapacityGbHours),
            memoryMembers,
            PoolSplitter.IdleWeight(policy, cost.MemoryCapacityGbHours, memoryMembers),
            policy.ShareSystemNamespaces,
            grid);
        return (cpu, memory);
    }
}
