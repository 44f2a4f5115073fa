namespace CloudSentinel.Allocation;

/// <summary>
/// Names that leave this library as label values and column values, so they are part of the
/// contract in ARCHITECTURE.md (<c>shared_infrastructure_allocation.resource_type</c>). The idle and
/// untagged service names are <see cref="CloudSentinel.Core.CostVocabulary"/>'s, which ingest's
/// validation shares.
/// </summary>
public static class AllocationNames
{
    public const string Kubernetes = "kubernetes";
    public const string Storage = "storage";
    public const string LoadBalancer = "load_balancer";

    /// <summary>Pool names of the two Kubernetes pools.</summary>
    public const string CpuPool = "cpu";
    public const string MemoryPool = "memory";
}
