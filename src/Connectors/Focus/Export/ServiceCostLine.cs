namespace CloudSentinel.Connectors;

/// <summary>
/// One row of <c>service_costs</c> (an hourly bucket), with what the export needs to explain a share
/// of shared infrastructure: the allocation percents of <c>shared_infrastructure_allocation</c> and the
/// pods of the service in the cluster that hour (<c>pod_costs</c>).
/// </summary>
public sealed record ServiceCostLine(
    DateTime Hour,
    string ServiceName,
    string CostType,
    string Provider,
    string AccountId,
    string Source,
    string Breakdown,
    decimal CostUsd,
    decimal? CpuAllocationPercent = null,
    decimal? MemoryAllocationPercent = null,
    IReadOnlyList<PodCost>? Pods = null);

/// <summary>A pod's CPU plus memory cost of one cluster hour.</summary>
public sealed record PodCost(string Namespace, string PodName, decimal CostUsd);
