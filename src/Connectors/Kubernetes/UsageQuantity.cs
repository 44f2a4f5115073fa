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
    /// <summary>kube_node_info: which billed instance each node is; not a pod quantity.</summary>
    NodeInfo,
}
