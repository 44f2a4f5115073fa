using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>A validated pod with its resolved service and OpenCost weights.</summary>
internal sealed record PodRow(
    string Namespace,
    string PodName,
    string Service,
    bool IsSystem,
    decimal CpuWeight,
    decimal MemoryWeight,
    PodUsage Usage)
{
    public static PodRow From(PodUsage pod, AllocationPolicy policy) => new(
        pod.Namespace,
        pod.PodName,
        pod.Service,
        policy.SystemNamespaces.Contains(pod.Namespace),
        // OpenCost: a pod holds what it reserved even when idle, and what it used beyond that.
        Math.Max(pod.CpuRequestCoreHours, pod.CpuUsageCoreHours),
        Math.Max(pod.MemoryRequestGbHours, pod.MemoryUsageGbHours),
        pod);
}
