namespace CloudSentinel.Core;

/// <summary>
/// What one pod asked for and used in a period: the one shape of pod usage from the validated
/// record through the ingest log and the cluster grain to the allocation. A pod is identified by
/// (namespace, pod name); all quantities are non-negative.
/// </summary>
public sealed record PodUsage
{
    public required string Namespace { get; init; }
    public required string PodName { get; init; }

    /// <summary>The application service, already resolved from labels; null or blank means untagged.</summary>
    public string? ServiceName { get; init; }

    /// <summary>The service the pod is charged to: <see cref="ServiceName"/>, or <see cref="CostVocabulary.UntaggedService"/> when it has none.</summary>
    public string Service => string.IsNullOrWhiteSpace(ServiceName) ? CostVocabulary.UntaggedService : ServiceName;

    public decimal CpuRequestCoreHours { get; init; }
    public decimal CpuUsageCoreHours { get; init; }
    public decimal MemoryRequestGbHours { get; init; }
    public decimal MemoryUsageGbHours { get; init; }

    /// <summary>Storage type of the pod's persistent volumes; GB-hours without a type join no pool.</summary>
    public string? StorageType { get; init; }
    public decimal StorageGbHours { get; init; }

    /// <summary>The load balancer in front of the pod, if any.</summary>
    public string? LoadBalancer { get; init; }

    /// <summary>Requests (or bytes) the pod served through <see cref="LoadBalancer"/>; 0 means no signal.</summary>
    public decimal LbRequests { get; init; }

    /// <summary>The same pod with every quantity replaced by <paramref name="part"/> of it (its share of one hour).</summary>
    public PodUsage Scaled(Func<decimal, decimal> part) => this with
    {
        CpuRequestCoreHours = part(CpuRequestCoreHours),
        CpuUsageCoreHours = part(CpuUsageCoreHours),
        MemoryRequestGbHours = part(MemoryRequestGbHours),
        MemoryUsageGbHours = part(MemoryUsageGbHours),
        StorageGbHours = part(StorageGbHours),
        LbRequests = part(LbRequests),
    };

    /// <summary>Two reports of one pod hour added up; the names are the later report's.</summary>
    public PodUsage Plus(PodUsage later) => later with
    {
        CpuRequestCoreHours = CpuRequestCoreHours + later.CpuRequestCoreHours,
        CpuUsageCoreHours = CpuUsageCoreHours + later.CpuUsageCoreHours,
        MemoryRequestGbHours = MemoryRequestGbHours + later.MemoryRequestGbHours,
        MemoryUsageGbHours = MemoryUsageGbHours + later.MemoryUsageGbHours,
        StorageGbHours = StorageGbHours + later.StorageGbHours,
        LbRequests = LbRequests + later.LbRequests,
    };
}
