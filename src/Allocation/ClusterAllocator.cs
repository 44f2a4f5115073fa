using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>
/// Allocates one cluster's hour of shared cost to services and pods. Pure and deterministic: the
/// same inputs in any order give the same result. The rules are written down in docs/allocation.md.
/// </summary>
public static class ClusterAllocator
{
    /// <exception cref="ArgumentException">A quantity is negative, a name is missing, or a pod appears twice.</exception>
    public static ClusterAllocation Allocate(ClusterCost cost, IReadOnlyList<PodUsage> pods, AllocationPolicy? policy = null)
    {
        policy ??= AllocationPolicy.Default;
        InputValidation.Validate(cost, pods);
        var rows = pods
            .Select(pod => PodRow.From(pod, policy))
            .OrderBy(pod => pod.Namespace, StringComparer.Ordinal)
            .ThenBy(pod => pod.PodName, StringComparer.Ordinal)
            .ToList();

        var grid = UsdGrid.For([cost.NodeCpuCostUsd, cost.NodeMemoryCostUsd, cost.NodeOtherCostUsd,
            .. cost.Storage.Select(s => s.CostUsd), .. cost.LoadBalancers.Select(b => b.CostUsd)]);
        var (cpu, memory) = KubernetesPools.Split(cost, rows, policy, grid);
        var storage = StoragePools.Split(cost, rows, policy, grid);
        var balancers = LoadBalancerPools.Split(cost, rows, policy, grid);

        var totals = new AllocationTotals(
            grid.Round(cost.NodeCpuCostUsd),
            grid.Round(cost.NodeMemoryCostUsd),
            grid.Round(cost.NodeOtherCostUsd),
            storage.Sum(pool => pool.Split.CostUsd),
            balancers.Sum(pool => pool.Split.CostUsd));

        return new ClusterAllocation(
            totals,
            [
                .. ServiceRows.Kubernetes(cpu.Split, memory.Split),
                .. ServiceRows.Summed(AllocationNames.Storage, storage),
                .. ServiceRows.Summed(AllocationNames.LoadBalancer, balancers),
            ],
            PodRows(rows, cpu, memory, storage),
            [cpu.Split, memory.Split, .. storage.Select(pool => pool.Split), .. balancers.Select(pool => pool.Split)]);
    }

    private static List<PodAllocation> PodRows(
        IReadOnlyList<PodRow> rows, PoolResult cpu, PoolResult memory, IReadOnlyList<PoolResult> storage)
    {
        var storageCosts = new decimal[rows.Count];
        foreach (var pool in storage)
        {
            for (var k = 0; k < pool.Members.Count; k++)
            {
                storageCosts[pool.Members[k].Pod] += pool.MemberCosts[k];
            }
        }

        return
        [
            .. rows.Select((row, i) => new PodAllocation(
                row.Namespace,
                row.PodName,
                row.Service,
                cpu.MemberCosts[i],
                memory.MemberCosts[i],
                storageCosts[i],
                row.CpuWeight,
                row.MemoryWeight)),
        ];
    }
}
