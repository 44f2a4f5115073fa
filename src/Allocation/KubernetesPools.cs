namespace CloudSentinel.Allocation;

/// <summary>The node cost, split as a CPU pool and a memory pool.</summary>
internal static class KubernetesPools
{
    public static (PoolResult Cpu, PoolResult Memory) Split(ClusterCost cost, IReadOnlyList<PodRow> pods, AllocationPolicy policy)
    {
        // A pod's part of the other node cost is the mean of its CPU and memory shares, which is
        // the same as adding one half to each pool. The odd micro-dollar, if any, goes to CPU.
        var other = LargestRemainder.Split(ExactNumbers.ToMicros(cost.NodeOtherCostUsd), [1, 1]);
        var cpuCost = ExactNumbers.RoundUsd(cost.NodeCpuCostUsd) + ExactNumbers.FromMicros(other[0]);
        var memoryCost = ExactNumbers.RoundUsd(cost.NodeMemoryCostUsd) + ExactNumbers.FromMicros(other[1]);

        var cpuMembers = pods.Select((pod, i) => new PoolMember(i, pod.Service, pod.IsSystem, pod.CpuWeight)).ToList();
        var memoryMembers = pods.Select((pod, i) => new PoolMember(i, pod.Service, pod.IsSystem, pod.MemoryWeight)).ToList();

        var cpu = PoolSplitter.Split(
            new PoolHeader(AllocationNames.Kubernetes, AllocationNames.CpuPool, ShareBasis.CpuCoreHours, cpuCost, cost.CpuCapacityCoreHours),
            cpuMembers,
            PoolSplitter.IdleWeight(policy, cost.CpuCapacityCoreHours, cpuMembers),
            policy.ShareSystemNamespaces);
        var memory = PoolSplitter.Split(
            new PoolHeader(AllocationNames.Kubernetes, AllocationNames.MemoryPool, ShareBasis.MemoryGbHours, memoryCost, cost.MemoryCapacityGbHours),
            memoryMembers,
            PoolSplitter.IdleWeight(policy, cost.MemoryCapacityGbHours, memoryMembers),
            policy.ShareSystemNamespaces);
        return (cpu, memory);
    }
}
