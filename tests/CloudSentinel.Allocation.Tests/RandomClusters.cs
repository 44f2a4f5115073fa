using CloudSentinel.Core;

namespace CloudSentinel.Allocation.Tests;

/// <summary>Random but reproducible clusters: odd decimals, zeros, credits, every policy.</summary>
internal static class RandomClusters
{
    private static readonly string?[] Services = ["api", "web", "cart", "batch", "", null];
    private static readonly string[] Namespaces = ["kube-system", "shop", "jobs", "monitoring"];
    private static readonly string[] StorageTypes = ["gp3", "io2", "standard"];
    private static readonly string[] Balancers = ["edge", "internal"];

    public static (ClusterCost Cost, List<PodUsage> Pods, AllocationPolicy Policy) Next(Random random)
    {
        var cost = new ClusterCost
        {
            NodeCpuCostUsd = Amount(random),
            NodeMemoryCostUsd = Amount(random),
            NodeOtherCostUsd = Amount(random),
            CpuCapacityCoreHours = random.Next(3) == 0 ? null : Quantity(random, 64),
            MemoryCapacityGbHours = random.Next(3) == 0 ? null : Quantity(random, 256),
            Storage = [.. Enumerable.Range(0, random.Next(4)).Select(_ => new StorageCost(
                Pick(random, StorageTypes), Amount(random), random.Next(2) == 0 ? null : Quantity(random, 500)))],
            LoadBalancers = [.. Enumerable.Range(0, random.Next(3)).Select(_ => new LoadBalancerCost(Pick(random, Balancers), Amount(random)))],
        };
        var pods = Enumerable.Range(0, random.Next(25)).Select(i => new PodUsage
        {
            Namespace = Pick(random, Namespaces),
            PodName = $"pod-{i}",
            ServiceName = Pick(random, Services),
            CpuRequestCoreHours = Quantity(random, 4),
            CpuUsageCoreHours = Quantity(random, 4),
            MemoryRequestGbHours = Quantity(random, 16),
            MemoryUsageGbHours = Quantity(random, 16),
            StorageType = random.Next(3) == 0 ? null : Pick(random, StorageTypes),
            StorageGbHours = Quantity(random, 100),
            LoadBalancer = random.Next(3) == 0 ? null : Pick(random, Balancers),
            LbRequests = random.Next(2) == 0 ? 0m : Quantity(random, 10_000),
        }).ToList();
        var policy = new AllocationPolicy
        {
            IdleMode = random.Next(2) == 0 ? IdleMode.Share : IdleMode.Separate,
            ShareSystemNamespaces = random.Next(4) != 0,
            SystemNamespaces = random.Next(4) == 0 ? new HashSet<string> { "monitoring", "kube-system" } : AllocationPolicy.DefaultSystemNamespaces,
        };
        return (cost, pods, policy);
    }

    /// <summary>Up to 8 decimals, so input rounding is exercised; one in ten is a credit, one in ten zero.</summary>
    private static decimal Amount(Random random) => random.Next(10) switch
    {
        0 => 0m,
        1 => -Math.Round((decimal)random.NextDouble() * 50m, random.Next(9)),
        _ => Math.Round((decimal)random.NextDouble() * 50m, random.Next(9)),
    };

    private static decimal Quantity(Random random, int max) =>
        random.Next(5) == 0 ? 0m : Math.Round((decimal)random.NextDouble() * max, random.Next(7));

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
