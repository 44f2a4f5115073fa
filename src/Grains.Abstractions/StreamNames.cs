namespace CloudSentinel.Grains.Abstractions;

public static class StreamNames
{
    /// <summary>The Orleans stream provider that carries cost data into the silo.</summary>
    public const string Provider = "cost-stream";

    /// <summary>Stream namespace of <see cref="CostBatch"/> messages, keyed "tenant/service".</summary>
    public const string ServiceCosts = "service-costs";

    /// <summary>Stream namespace of <see cref="ClusterInputBatch"/> messages, keyed "tenant/cluster".</summary>
    public const string ClusterInputs = "cluster-inputs";
}
