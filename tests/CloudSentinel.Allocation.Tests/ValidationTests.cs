using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class ValidationTests
{
    private static readonly ClusterCost Cost = new() { NodeCpuCostUsd = 1m };

    [Fact]
    public void Negative_usage_is_rejected_naming_the_pod_and_the_field()
    {
        PodUsage[] pods = [Pod("shop", "api-1", "api") with { MemoryUsageGbHours = -1m }];

        var error = Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost, pods));

        Assert.Equal(nameof(PodUsage.MemoryUsageGbHours), error.ParamName);
        Assert.Contains("shop/api-1", error.Message);
    }

    [Fact]
    public void The_same_pod_twice_is_rejected()
    {
        PodUsage[] pods = [Pod("shop", "api-1", "api"), Pod("shop", "api-1", "web")];

        var error = Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost, pods));

        Assert.Contains("appears twice", error.Message);
    }

    [Fact]
    public void The_idle_service_name_is_reserved()
    {
        PodUsage[] pods = [Pod("shop", "api-1", CostVocabulary.IdleService)];

        Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost, pods));
    }

    [Fact]
    public void Negative_capacity_and_blank_storage_types_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost with { CpuCapacityCoreHours = -1m }, []));
        Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost with { Storage = [new StorageCost(" ", 1m)] }, []));
        Assert.Throws<ArgumentException>(() => ClusterAllocator.Allocate(Cost with { LoadBalancers = [new LoadBalancerCost("", 1m)] }, []));
    }
}
