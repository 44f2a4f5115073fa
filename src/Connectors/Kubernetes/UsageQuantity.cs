namespace CloudSentinel.Connectors;

/// <summary>What one query of a poll measures.</summary>
public enum UsageQuantity
{
    CpuRequest,
    CpuUsage,
    MemoryRequest,
    MemoryUsage,
    Storage,
    Labels,
    Owner,
    LoadBalancer,
}
