namespace CloudSentinel.Core;

/// <summary>
/// One row of <c>service_costs</c> (an hourly bucket), with what the export needs to explain a share
/// of shared infrastructure: the allocation percents of <c>shared_infrastructure_allocation</c> and the
/// pods of the service in the cluster that hour (<c>pod_costs</c>, <c>pod_usage</c>). The descriptive
/// fields (<see cref="ProviderService"/>, <see cref="Region"/>, <see cref="SubAccountName"/>) are what the
/// source said about the bucket, null when it said nothing or its lines disagreed.
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
    IReadOnlyList<PodCost>? Pods = null)
{
    /// <summary>The provider's own service name (e.g. "Amazon EC2"), FOCUS ServiceName.</summary>
    public string? ProviderService { get; init; }

    /// <summary>The provider's region id (e.g. "us-east-1").</summary>
    public string? Region { get; init; }

    /// <summary>The sub account's display name, when the source gave one.</summary>
    public string? SubAccountName { get; init; }

    /// <summary>The currency the source billed in when it was not USD, with the rate (USD per unit) <see cref="CostUsd"/> was converted at.</summary>
    public (string Currency, decimal UsdRate)? BilledCurrency { get; init; }
}
