using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class IdleTests
{
    private static readonly ClusterCost HalfUsedCluster = new()
    {
        NodeCpuCostUsd = 1.00m,
        NodeMemoryCostUsd = 1.00m,
        CpuCapacityCoreHours = 4m,
        MemoryCapacityGbHours = 16m,
    };

    private static readonly PodUsage[] TwoServices = [Pod("a", "a-1", "api", 1.5m, 2m), Pod("w", "w-1", "web", 0.5m, 6m)];

    [Fact]
    public void Idle_cost_is_shared_in_proportion_by_default()
    {
        var allocation = ClusterAllocator.Allocate(HalfUsedCluster, TwoServices);

        Assert.Equal([K8s("api", 1.000000m, 75m, 25m), K8s("web", 1.000000m, 25m, 75m)], allocation.Services);
    }

    [Fact]
    public void Idle_cost_is_reported_as_its_own_service_when_separate()
    {
        var policy = AllocationPolicy.Default with { IdleMode = IdleMode.Separate };

        var allocation = ClusterAllocator.Allocate(HalfUsedCluster, TwoServices, policy);

        Assert.Equal(
            [
                K8s(CostVocabulary.IdleService, 1.000000m, 50m, 50m),
                K8s("api", 0.500000m, 37.5m, 12.5m),
                K8s("web", 0.500000m, 12.5m, 37.5m),
            ],
            allocation.Services);
    }

    [Fact]
    public void Without_capacity_separate_mode_has_no_idle_and_splits_by_weight()
    {
        var policy = AllocationPolicy.Default with { IdleMode = IdleMode.Separate };
        var cost = HalfUsedCluster with { CpuCapacityCoreHours = null, MemoryCapacityGbHours = null };

        var allocation = ClusterAllocator.Allocate(cost, TwoServices, policy);

        Assert.Null(allocation.Row(AllocationNames.Kubernetes, CostVocabulary.IdleService));
        Assert.Equal(1.000000m, allocation.Row(AllocationNames.Kubernetes, "api")!.AllocatedCostUsd);
    }

    [Fact]
    public void Usage_above_capacity_leaves_no_idle_and_splits_by_weight()
    {
        var policy = AllocationPolicy.Default with { IdleMode = IdleMode.Separate };
        var cost = HalfUsedCluster with { CpuCapacityCoreHours = 1m, MemoryCapacityGbHours = 4m };

        var allocation = ClusterAllocator.Allocate(cost, TwoServices, policy);

        Assert.Equal([K8s("api", 1.000000m, 75m, 25m), K8s("web", 1.000000m, 25m, 75m)], allocation.Services);
    }

    [Theory]
    [InlineData(IdleMode.Share)]
    [InlineData(IdleMode.Separate)]
    public void Hour_with_zero_usage_charges_everything_to_idle(IdleMode mode)
    {
        var cost = HalfUsedCluster with
        {
            NodeOtherCostUsd = 0.5m,
            Storage = [new StorageCost("gp3", 0.2m)],
            LoadBalancers = [new LoadBalancerCost("public", 0.1m)],
        };
        PodUsage[] silent = [Pod("a", "a-1", "api"), Pod("w", "w-1", "web")];

        var allocation = ClusterAllocator.Allocate(cost, silent, AllocationPolicy.Default with { IdleMode = mode });

        Assert.Equal(
            [
                K8s(CostVocabulary.IdleService, 2.500000m, 100m, 100m),
                Storage(CostVocabulary.IdleService, 0.200000m),
                Lb(CostVocabulary.IdleService, 0.100000m),
            ],
            allocation.Services);
        Assert.All(allocation.Pods, pod => Assert.Equal(0m, pod.CpuCostUsd + pod.MemoryCostUsd + pod.StorageCostUsd));
    }

    [Fact]
    public void Cluster_without_pods_charges_everything_to_idle()
    {
        var allocation = ClusterAllocator.Allocate(HalfUsedCluster, []);

        Assert.Equal([K8s(CostVocabulary.IdleService, 2.000000m, 100m, 100m)], allocation.Services);
        Assert.Empty(allocation.Pods);
    }

    [Fact]
    public void Unclaimed_provisioned_storage_is_idle_when_separate()
    {
        var cost = new ClusterCost { Storage = [new StorageCost("gp3", 1.00m, 100m)] };
        PodUsage[] pods = [Pod("a", "a-1", "api", storageType: "gp3", storageGbHours: 30m)];

        var shared = ClusterAllocator.Allocate(cost, pods);
        var separate = ClusterAllocator.Allocate(cost, pods, AllocationPolicy.Default with { IdleMode = IdleMode.Separate });

        Assert.Equal(1.000000m, shared.Row(AllocationNames.Storage, "api")!.AllocatedCostUsd);
        Assert.Equal(0.300000m, separate.Row(AllocationNames.Storage, "api")!.AllocatedCostUsd);
        Assert.Equal(0.700000m, separate.Row(AllocationNames.Storage, CostVocabulary.IdleService)!.AllocatedCostUsd);
    }
}
