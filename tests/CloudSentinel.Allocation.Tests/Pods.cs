using CloudSentinel.Core;

namespace CloudSentinel.Allocation.Tests;

/// <summary>Short builders so each test's data fits in a few lines.</summary>
internal static class Pods
{
    public static PodUsage Pod(
        string ns,
        string name,
        string? service,
        decimal cpu = 0m,
        decimal memory = 0m,
        string? storageType = null,
        decimal storageGbHours = 0m,
        string? loadBalancer = null,
        decimal lbRequests = 0m) => new()
    {
        Namespace = ns,
        PodName = name,
        ServiceName = service,
        CpuRequestCoreHours = cpu,
        MemoryRequestGbHours = memory,
        StorageType = storageType,
        StorageGbHours = storageGbHours,
        LoadBalancer = loadBalancer,
        LbRequests = lbRequests,
    };

    public static ServiceAllocation K8s(string service, decimal cost, decimal cpuPercent, decimal memoryPercent) =>
        new(AllocationNames.Kubernetes, service, cost, cpuPercent, memoryPercent);

    public static ServiceAllocation Storage(string service, decimal cost) => new(AllocationNames.Storage, service, cost, 0m, 0m);

    public static ServiceAllocation Lb(string service, decimal cost) => new(AllocationNames.LoadBalancer, service, cost, 0m, 0m);

    public static ServiceAllocation? Row(this ClusterAllocation allocation, string resourceType, string service) =>
        allocation.Services.SingleOrDefault(row => row.ResourceType == resourceType && row.ServiceName == service);
}
