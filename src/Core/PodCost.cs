namespace CloudSentinel.Core;

/// <summary>
/// A pod's CPU plus memory cost of one cluster hour, and the CPU the allocation counted for it that hour
/// (max of request and usage in <c>pod_usage</c>, docs/allocation.md; null when no usage report named the pod).
/// </summary>
public sealed record PodCost(string Namespace, string PodName, decimal CostUsd, decimal? CpuUsageCoreHours = null);
