using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

/// <summary>
/// The worked examples of docs/allocation.md, number for number. If one changes here, change the
/// document too.
/// </summary>
public sealed record WorkedExample(
    string Name,
    ClusterCost Cost,
    IReadOnlyList<PodUsage> Usage,
    AllocationPolicy Policy,
    IReadOnlyList<ServiceAllocation> Services,
    IReadOnlyList<PodAllocation> Pods)
{
    public override string ToString() => Name;

    /// <summary>Example 1: max(request, usage), the other node cost, shared idle, percent rounding.</summary>
    public static WorkedExample OpenCostWeights { get; } = new(
        "1 weights and the other node cost",
        new ClusterCost { NodeCpuCostUsd = 0.90m, NodeMemoryCostUsd = 0.60m, NodeOtherCostUsd = 0.30m },
        [
            Measured("api", "api-a", "api", 1.5m, 0.5m, 1m, 1m),
            Measured("web", "web-a", "web", 0.5m, 1.0m, 2m, 1m),
            Measured("web", "web-b", "web", 0.5m, 0.25m, 2m, 3m),
        ],
        AllocationPolicy.Default,
        [
            K8s("api", 0.650000m, 50m, 16.666667m),
            K8s("web", 1.150000m, 50m, 83.333333m),
        ],
        [
            new("api", "api-a", "api", 0.525000m, 0.125000m, 0m, 1.5m, 1m),
            new("web", "web-a", "web", 0.350000m, 0.250000m, 0m, 1.0m, 2m),
            new("web", "web-b", "web", 0.175000m, 0.375000m, 0m, 0.5m, 3m),
        ]);

    /// <summary>Example 2: idle reported separately, kube-system shared across the others.</summary>
    public static WorkedExample SeparateIdleAndSystemNamespace { get; } = new(
        "2 separate idle and kube-system",
        new ClusterCost
        {
            NodeCpuCostUsd = 4.00m,
            NodeMemoryCostUsd = 2.00m,
            CpuCapacityCoreHours = 8m,
            MemoryCapacityGbHours = 32m,
        },
        [
            Measured("kube-system", "coredns-1", "coredns", 0.5m, 0.1m, 2m, 1m),
            Measured("shop", "api-1", "api", 1.5m, 1.2m, 6m, 5m),
            Measured("shop", "web-1", "web", 2m, 1.8m, 8m, 7.5m),
        ],
        AllocationPolicy.Default with { IdleMode = IdleMode.Separate },
        [
            K8s(CostVocabulary.IdleService, 3.000000m, 50m, 50m),
            K8s("api", 1.285714m, 21.428571m, 21.428571m),
            K8s("web", 1.714286m, 28.571429m, 28.571429m),
        ],
        [
            new("kube-system", "coredns-1", "coredns", 0m, 0m, 0m, 0.5m, 2m),
            new("shop", "api-1", "api", 0.857143m, 0.428571m, 0m, 1.5m, 6m),
            new("shop", "web-1", "web", 1.142857m, 0.571429m, 0m, 2m, 8m),
        ]);

    /// <summary>Example 3: storage by GB-hours, load balancers by requests and evenly, unused pools idle.</summary>
    public static WorkedExample StorageAndLoadBalancers { get; } = new(
        "3 storage and load balancers",
        new ClusterCost
        {
            NodeCpuCostUsd = 0.40m,
            NodeMemoryCostUsd = 0.20m,
            Storage = [new StorageCost("gp3", 0.10m, 500m), new StorageCost("standard", 0.05m, 100m)],
            LoadBalancers = [new LoadBalancerCost("public", 0.025m), new LoadBalancerCost("internal", 0.01m), new LoadBalancerCost("old", 0.002m)],
        },
        [
            Pod("shop", "api-1", "api", 1m, 4m, "gp3", 100m, "public", 1000m),
            Pod("shop", "web-1", "web", 1m, 4m, "gp3", 100m, "public", 3000m),
            Pod("jobs", "worker-1", "worker", 1m, 4m, "gp3", 100m, "internal"),
            Pod("jobs", "report-1", "report", 1m, 4m, loadBalancer: "internal"),
        ],
        AllocationPolicy.Default,
        [
            K8s("api", 0.150000m, 25m, 25m),
            K8s("report", 0.150000m, 25m, 25m),
            K8s("web", 0.150000m, 25m, 25m),
            K8s("worker", 0.150000m, 25m, 25m),
            Storage(CostVocabulary.IdleService, 0.050000m),
            Storage("api", 0.033334m),
            Storage("web", 0.033333m),
            Storage("worker", 0.033333m),
            Lb(CostVocabulary.IdleService, 0.002000m),
            Lb("api", 0.006250m),
            Lb("report", 0.005000m),
            Lb("web", 0.018750m),
            Lb("worker", 0.005000m),
        ],
        [
            new("jobs", "report-1", "report", 0.100000m, 0.050000m, 0m, 1m, 4m),
            new("jobs", "worker-1", "worker", 0.100000m, 0.050000m, 0.033333m, 1m, 4m),
            new("shop", "api-1", "api", 0.100000m, 0.050000m, 0.033334m, 1m, 4m),
            new("shop", "web-1", "web", 0.100000m, 0.050000m, 0.033333m, 1m, 4m),
        ]);

    /// <summary>Example 4: a credit larger than the charge, and a tie broken by service name.</summary>
    public static WorkedExample CreditAndTieBreak { get; } = new(
        "4 credit and tie-break",
        new ClusterCost { NodeCpuCostUsd = 0.40m, NodeMemoryCostUsd = 0.20m, NodeOtherCostUsd = -1.00m },
        [
            Pod("prod", "api-1", "api", 1m, 1m),
            Pod("prod", "batch-1", "batch", 1m, 1m),
            Pod("prod", "cache-1", "cache", 1m, 2m),
        ],
        AllocationPolicy.Default,
        [
            K8s("api", -0.108334m, 33.333334m, 25m),
            K8s("batch", -0.108333m, 33.333333m, 25m),
            K8s("cache", -0.183333m, 33.333333m, 50m),
        ],
        [
            new("prod", "api-1", "api", -0.033334m, -0.075000m, 0m, 1m, 1m),
            new("prod", "batch-1", "batch", -0.033333m, -0.075000m, 0m, 1m, 1m),
            new("prod", "cache-1", "cache", -0.033333m, -0.150000m, 0m, 1m, 2m),
        ]);

    public static TheoryData<WorkedExample> All { get; } =
    [
        OpenCostWeights,
        SeparateIdleAndSystemNamespace,
        StorageAndLoadBalancers,
        CreditAndTieBreak,
    ];

    private static PodUsage Measured(
        string ns, string name, string service, decimal cpuRequest, decimal cpuUsage, decimal memoryRequest, decimal memoryUsage) => new()
    {
        Namespace = ns,
        PodName = name,
        ServiceName = service,
        CpuRequestCoreHours = cpuRequest,
        CpuUsageCoreHours = cpuUsage,
        MemoryRequestGbHours = memoryRequest,
        MemoryUsageGbHours = memoryUsage,
    };
}
