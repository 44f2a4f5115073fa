namespace CloudSentinel.Core;

/// <summary>The fields of one usage record as they were sent, before validation.</summary>
public sealed class UsageRecordFields : RecordFields
{
    public string? Tenant { get; set; }
    public string? ClusterName { get; set; }
    public string? Namespace { get; set; }
    public string? PodName { get; set; }
    public string? ServiceName { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public DateTime? PeriodStart { get; set; }
    public DateTime? PeriodEnd { get; set; }
    public decimal? CpuRequestCoreHours { get; set; }
    public decimal? CpuUsageCoreHours { get; set; }
    public decimal? MemoryRequestGbHours { get; set; }
    public decimal? MemoryUsageGbHours { get; set; }
    public string? StorageType { get; set; }
    public decimal? StorageGbHours { get; set; }
    public string? LoadBalancer { get; set; }
    public decimal? LbRequests { get; set; }
}
