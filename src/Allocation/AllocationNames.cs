namespace CloudSentinel.Allocation;

/// <summary>
/// Names that leave this library as label values and column values, so they are part of the
/// contract in ARCHITECTURE.md (<c>shared_infrastructure_allocation.resource_type</c>, <c>service_name</c>).
/// </summary>
public static class AllocationNames
{
    /// <summary>Cost nobody used: spare capacity, or a pool that no pod takes part in.</summary>
    public const string IdleService = "__idle__";

    /// <summary>Pods whose service could not be resolved.</summary>
    public const string UntaggedService = "untagged";

    public const string Kubernetes = "kubernetes";
    public const string Storage = "storage";
    public const string LoadBalancer = "load_balancer";

    /// <summary>Pool names of the two Kubernetes pools.</summary>
    public const string CpuPool = "cpu";
    public const string MemoryPool = "memory";
}
