using CloudSentinel.Core;

namespace CloudSentinel.Allocation.Tests;

public sealed class WorkedExampleTests
{
    [Theory]
    [MemberData(nameof(WorkedExample.All), MemberType = typeof(WorkedExample))]
    public void Worked_example_from_the_docs_is_reproduced_to_the_last_digit(WorkedExample example)
    {
        var allocation = ClusterAllocator.Allocate(example.Cost, example.Usage, example.Policy);

        Assert.Equal(example.Services, allocation.Services);
        Assert.Equal(example.Pods, allocation.Pods);
    }

    [Fact]
    public void Separate_idle_example_explains_the_cpu_pool()
    {
        var example = WorkedExample.SeparateIdleAndSystemNamespace;

        var cpu = ClusterAllocator.Allocate(example.Cost, example.Usage, example.Policy).Pools[0];

        Assert.Equal(
            new PoolSplit(AllocationNames.Kubernetes, AllocationNames.CpuPool, ShareBasis.CpuCoreHours, 4.00m, 8m, 4m, 4m, true, cpu.Shares),
            cpu);
        Assert.Equal(
            [
                new ShareLine(CostVocabulary.IdleService, 4m, 50m, 2.000000m),
                new ShareLine("api", 1.5m, 21.428571m, 0.857143m),
                new ShareLine("coredns", 0.5m, 0m, 0m),
                new ShareLine("web", 2m, 28.571429m, 1.142857m),
            ],
            cpu.Shares);
    }
}
