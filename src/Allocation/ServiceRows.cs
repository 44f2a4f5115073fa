namespace CloudSentinel.Allocation;

/// <summary>Turns pool shares into <c>shared_infrastructure_allocation</c> rows.</summary>
internal static class ServiceRows
{
    public static IEnumerable<ServiceAllocation> Kubernetes(PoolSplit cpu, PoolSplit memory)
    {
        var cpuShares = cpu.Shares.ToDictionary(share => share.ServiceName, StringComparer.Ordinal);
        var memoryShares = memory.Shares.ToDictionary(share => share.ServiceName, StringComparer.Ordinal);
        return cpuShares.Keys
            .Union(memoryShares.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(service =>
            {
                var c = cpuShares.GetValueOrDefault(service);
                var m = memoryShares.GetValueOrDefault(service);
                return new ServiceAllocation(
                    AllocationNames.Kubernetes,
                    service,
                    (c?.CostUsd ?? 0m) + (m?.CostUsd ?? 0m),
                    c?.SharePercent ?? 0m,
                    m?.SharePercent ?? 0m);
            })
            .Where(IsNotEmpty);
    }

    /// <summary>Storage and load balancer rows: the sum over their pools, with no CPU or memory share.</summary>
    public static IEnumerable<ServiceAllocation> Summed(string resourceType, IEnumerable<PoolResult> pools) =>
        pools
            .SelectMany(pool => pool.Split.Shares)
            .GroupBy(share => share.ServiceName, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new ServiceAllocation(resourceType, group.Key, group.Sum(share => share.CostUsd), 0m, 0m))
            .Where(IsNotEmpty);

    private static bool IsNotEmpty(ServiceAllocation row) =>
        row.AllocatedCostUsd != 0m || row.CpuAllocationPercent != 0m || row.MemoryAllocationPercent != 0m;
}
