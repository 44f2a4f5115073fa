using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class SharedResourceTests
{
    [Fact]
    public void Load_balancer_is_split_by_requests_when_any_service_reports_them()
    {
        var cost = new ClusterCost { LoadBalancers = [new LoadBalancerCost("edge", 1.00m)] };
        PodUsage[] pods =
        [
            Pod("a", "a-1", "api", loadBalancer: "edge", lbRequests: 300m),
            Pod("a", "a-2", "api", loadBalancer: "edge", lbRequests: 100m),
            Pod("w", "w-1", "web", loadBalancer: "edge", lbRequests: 600m),
            Pod("x", "x-1", "admin", loadBalancer: "edge"),
        ];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal([Lb("api", 0.400000m), Lb("web", 0.600000m)], allocation.Services.Where(r => r.ResourceType == AllocationNames.LoadBalancer));
        Assert.Equal(ShareBasis.LbRequests, allocation.Pools.Single(p => p.Pool == "edge").Basis);
    }

    [Fact]
    public void Load_balancer_without_requests_is_split_evenly_among_services_not_pods()
    {
        var cost = new ClusterCost { LoadBalancers = [new LoadBalancerCost("edge", 1.00m)] };
        PodUsage[] pods =
        [
            Pod("a", "a-1", "api", loadBalancer: "edge"),
            Pod("a", "a-2", "api", loadBalancer: "edge"),
            Pod("c", "c-1", "cart", loadBalancer: "edge"),
            Pod("w", "w-1", "web", loadBalancer: "edge"),
        ];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal(
            [Lb("api", 0.333334m), Lb("cart", 0.333333m), Lb("web", 0.333333m)],
            allocation.Services.Where(r => r.ResourceType == AllocationNames.LoadBalancer));
        Assert.Equal(ShareBasis.Even, allocation.Pools.Single(p => p.Pool == "edge").Basis);
    }

    [Fact]
    public void Load_balancer_and_storage_type_nobody_uses_are_idle()
    {
        var cost = new ClusterCost
        {
            Storage = [new StorageCost("io2", 0.30m)],
            LoadBalancers = [new LoadBalancerCost("legacy", 0.20m)],
        };
        PodUsage[] pods = [Pod("a", "a-1", "api", 1m, 1m, "gp3", 10m, "edge", 5m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal(0.300000m, allocation.Row(AllocationNames.Storage, CostVocabulary.IdleService)!.AllocatedCostUsd);
        Assert.Equal(0.200000m, allocation.Row(AllocationNames.LoadBalancer, CostVocabulary.IdleService)!.AllocatedCostUsd);
        Assert.Null(allocation.Row(AllocationNames.Storage, "api"));
    }

    [Fact]
    public void Entries_of_the_same_storage_type_or_load_balancer_are_added_together()
    {
        var cost = new ClusterCost
        {
            Storage = [new StorageCost("gp3", 0.25m, 10m), new StorageCost("gp3", 0.75m, 30m)],
            LoadBalancers = [new LoadBalancerCost("edge", 0.5m), new LoadBalancerCost("edge", 0.5m)],
        };
        PodUsage[] pods = [Pod("a", "a-1", "api", storageType: "gp3", storageGbHours: 10m, loadBalancer: "edge")];

        var allocation = ClusterAllocator.Allocate(cost, pods, AllocationPolicy.Default with { IdleMode = IdleMode.Separate });

        var gp3 = allocation.Pools.Single(p => p.Pool == "gp3");
        Assert.Equal((1.00m, 40m), (gp3.CostUsd, gp3.Capacity));
        Assert.Equal(0.250000m, allocation.Row(AllocationNames.Storage, "api")!.AllocatedCostUsd);
        Assert.Equal(1.000000m, allocation.Row(AllocationNames.LoadBalancer, "api")!.AllocatedCostUsd);
    }

    [Fact]
    public void Pod_storage_cost_is_its_share_of_its_storage_type()
    {
        var cost = new ClusterCost { Storage = [new StorageCost("gp3", 0.90m), new StorageCost("sc1", 0.10m)] };
        PodUsage[] pods =
        [
            Pod("db", "db-0", "db", storageType: "gp3", storageGbHours: 200m),
            Pod("db", "db-1", "db", storageType: "gp3", storageGbHours: 100m),
            Pod("logs", "logs-0", "logs", storageType: "sc1", storageGbHours: 5m),
        ];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal([0.600000m, 0.300000m, 0.100000m], allocation.Pods.Select(p => p.StorageCostUsd));
        Assert.Equal([Storage("db", 0.900000m), Storage("logs", 0.100000m)], allocation.Services.Where(r => r.ResourceType == AllocationNames.Storage));
    }
}
