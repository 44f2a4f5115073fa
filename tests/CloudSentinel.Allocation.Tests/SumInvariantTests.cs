namespace CloudSentinel.Allocation.Tests;

public sealed class SumInvariantTests
{
    private const int Clusters = 5_000;

    [Fact]
    public void Allocations_add_up_exactly_to_the_cluster_cost_for_thousands_of_random_clusters()
    {
        var random = new Random(4_2024);
        for (var n = 0; n < Clusters; n++)
        {
            var (cost, pods, policy) = RandomClusters.Next(random);

            var allocation = ClusterAllocator.Allocate(cost, pods, policy);

            AssertExact(cost, allocation);
        }
    }

    [Fact]
    public void Allocation_does_not_depend_on_the_order_of_pods_or_cost_entries()
    {
        var random = new Random(7);
        for (var n = 0; n < 500; n++)
        {
            var (cost, pods, policy) = RandomClusters.Next(random);
            var reordered = cost with { Storage = [.. cost.Storage.Reverse()], LoadBalancers = [.. cost.LoadBalancers.Reverse()] };

            var first = ClusterAllocator.Allocate(cost, pods, policy);
            var second = ClusterAllocator.Allocate(reordered, [.. pods.OrderBy(_ => random.Next())], policy);

            Assert.Equal(first.Totals, second.Totals);
            Assert.Equal(first.Services, second.Services);
            Assert.Equal(first.Pods, second.Pods);
            Assert.Equal(first.Pools.SelectMany(pool => pool.Shares), second.Pools.SelectMany(pool => pool.Shares));
        }
    }

    private static void AssertExact(ClusterCost cost, ClusterAllocation allocation)
    {
        var totals = allocation.Totals;
        Assert.Equal(totals.KubernetesUsd, SumOf(allocation, AllocationNames.Kubernetes));
        Assert.Equal(totals.StorageUsd, SumOf(allocation, AllocationNames.Storage));
        Assert.Equal(totals.LoadBalancerUsd, SumOf(allocation, AllocationNames.LoadBalancer));
        Assert.Equal(totals.TotalUsd, allocation.Services.Sum(row => row.AllocatedCostUsd));

        var kubernetes = allocation.Services.Where(row => row.ResourceType == AllocationNames.Kubernetes).ToList();
        Assert.Equal(100m, kubernetes.Sum(row => row.CpuAllocationPercent));
        Assert.Equal(100m, kubernetes.Sum(row => row.MemoryAllocationPercent));

        foreach (var pool in allocation.Pools)
        {
            Assert.Equal(pool.CostUsd, pool.Shares.Sum(share => share.CostUsd));
            Assert.Equal(100m, pool.Shares.Sum(share => share.SharePercent));
            foreach (var share in pool.Shares)
            {
                // Each amount is within a micro-dollar of its exact share; the percent itself is
                // rounded to 1e-6 %, which allows |cost|·1e-8 more.
                var tolerance = 0.000001m + Math.Abs(pool.CostUsd) * 0.00000001m;
                Assert.True(Math.Abs(share.CostUsd - pool.CostUsd * share.SharePercent / 100m) < tolerance, $"{pool.Pool}/{share}");
            }
        }

        foreach (var service in allocation.Pods.GroupBy(pod => pod.ServiceName))
        {
            var rows = allocation.Services
                .Where(row => row.ServiceName == service.Key && row.ResourceType != AllocationNames.LoadBalancer)
                .Sum(row => row.AllocatedCostUsd);
            Assert.Equal(rows, service.Sum(pod => pod.CpuCostUsd + pod.MemoryCostUsd + pod.StorageCostUsd));
        }

        var amounts = allocation.Services.Select(row => row.AllocatedCostUsd)
            .Concat(allocation.Pods.SelectMany(pod => new[] { pod.CpuCostUsd, pod.MemoryCostUsd, pod.StorageCostUsd }));
        // Every amount lies on the grid of the hour's inputs: micro-dollars, or the inputs' own finer decimals.
        var decimals = Math.Max(6, new[] { cost.NodeCpuCostUsd, cost.NodeMemoryCostUsd, cost.NodeOtherCostUsd }
            .Concat(cost.Storage.Select(s => s.CostUsd)).Concat(cost.LoadBalancers.Select(b => b.CostUsd))
            .Max(amount => (int)(amount / 1.000000000000000000000000000000000m).Scale));
        Assert.All(amounts, amount => Assert.Equal(Math.Round(amount, decimals), amount));
    }

    private static decimal SumOf(ClusterAllocation allocation, string resourceType) =>
        allocation.Services.Where(row => row.ResourceType == resourceType).Sum(row => row.AllocatedCostUsd);
}
