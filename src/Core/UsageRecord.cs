namespace CloudSentinel.Core;

/// <summary>
/// One validated pod usage report: a pod's usage in one tenant's cluster over a UTC period, end
/// exclusive, with canonical names (the service resolved from labels).
/// </summary>
public sealed record UsageRecord
{
    public required string Tenant { get; init; }
    public required string ClusterName { get; init; }
    public required DateTime PeriodStart { get; init; }
    public required DateTime PeriodEnd { get; init; }
    public required PodUsage Pod { get; init; }
}
