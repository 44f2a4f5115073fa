namespace CloudSentinel.Connectors;

/// <summary>
/// A pod's CPU plus memory cost of one cluster hour, and the CPU it used that hour (<c>pod_usage</c>;
/// null when no usage report named the pod).
/// </summary>
public sealed record PodCost(string Namespace, string PodName, decimal CostUsd, decimal? CpuUsageCoreHours = null);
