using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Pod_without_a_service_is_charged_to_untagged(string? service)
    {
        var cost = new ClusterCost { NodeCpuCostUsd = 1.00m };
        PodUsage[] pods = [Pod("batch", "job-1", service, cpu: 1m), Pod("shop", "api-1", "api", cpu: 1m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal(0.500000m, allocation.Row(AllocationNames.Kubernetes, CostVocabulary.UntaggedService)!.AllocatedCostUsd);
        Assert.Equal(CostVocabulary.UntaggedService, allocation.Pods[0].ServiceName);
    }

    [Fact]
    public void Pods_of_one_service_in_different_namespaces_add_up_to_one_row()
    {
        var cost = new ClusterCost { NodeCpuCostUsd = 0.90m };
        PodUsage[] pods = [Pod("eu", "api-1", "api", 1m, 1m), Pod("us", "api-1", "api", 2m, 1m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal([K8s("api", 0.900000m, 100m, 100m)], allocation.Services);
        Assert.Equal([0.300000m, 0.600000m], allocation.Pods.Select(p => p.CpuCostUsd));
    }
}
