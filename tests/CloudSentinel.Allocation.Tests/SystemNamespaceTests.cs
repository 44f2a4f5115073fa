using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class SystemNamespaceTests
{
    private static readonly ClusterCost Cluster = new()
    {
        NodeCpuCostUsd = 1.00m,
        NodeMemoryCostUsd = 1.00m,
        Storage = [new StorageCost("gp3", 1.00m)],
    };

    private static readonly PodUsage[] Workload =
    [
        Pod("kube-system", "metrics-1", "metrics-server", 2m, 2m, "gp3", 50m),
        Pod("shop", "api-1", "api", 1m, 3m, "gp3", 25m),
        Pod("shop", "web-1", "web", 3m, 1m, "gp3", 25m),
    ];

    [Fact]
    public void System_namespace_cost_is_shared_across_other_services_in_proportion()
    {
        var allocation = ClusterAllocator.Allocate(Cluster, Workload);

        Assert.Equal(
            [
                K8s("api", 1.000000m, 25m, 75m),
                K8s("web", 1.000000m, 75m, 25m),
                Storage("api", 0.500000m),
                Storage("web", 0.500000m),
            ],
            allocation.Services);
        Assert.True(allocation.Pools.All(pool => pool.SystemShared));
    }

    [Fact]
    public void System_namespace_is_charged_like_any_service_when_sharing_is_off()
    {
        var allocation = ClusterAllocator.Allocate(Cluster, Workload, AllocationPolicy.Default with { ShareSystemNamespaces = false });

        Assert.Equal(
            [
                K8s("api", 0.666667m, 16.666667m, 50m),
                K8s("metrics-server", 0.666666m, 33.333333m, 33.333333m),
                K8s("web", 0.666667m, 50m, 16.666667m),
                Storage("api", 0.250000m),
                Storage("metrics-server", 0.500000m),
                Storage("web", 0.250000m),
            ],
            allocation.Services);
    }

    [Fact]
    public void System_namespaces_are_configurable()
    {
        var policy = AllocationPolicy.Default with { SystemNamespaces = new HashSet<string> { "shop" } };

        var allocation = ClusterAllocator.Allocate(Cluster with { Storage = [] }, Workload, policy);

        Assert.Equal([K8s("metrics-server", 2.000000m, 100m, 100m)], allocation.Services);
    }

    [Fact]
    public void Cluster_running_only_system_pods_charges_them_because_nobody_else_can_be()
    {
        PodUsage[] systemOnly = [Pod("kube-system", "dns-1", "coredns", 1m, 1m)];

        var allocation = ClusterAllocator.Allocate(Cluster with { Storage = [] }, systemOnly);

        Assert.Equal([K8s("coredns", 2.000000m, 100m, 100m)], allocation.Services);
    }

    [Fact]
    public void Idle_stays_idle_while_system_cost_moves_to_the_other_services()
    {
        var cost = Cluster with { Storage = [], CpuCapacityCoreHours = 12m, MemoryCapacityGbHours = 12m };
        var policy = AllocationPolicy.Default with { IdleMode = IdleMode.Separate };

        var allocation = ClusterAllocator.Allocate(cost, Workload, policy);

        Assert.Equal(
            [
                K8s(CostVocabulary.IdleService, 1.000000m, 50m, 50m),
                K8s("api", 0.500000m, 12.5m, 37.5m),
                K8s("web", 0.500000m, 37.5m, 12.5m),
            ],
            allocation.Services);
    }
}
