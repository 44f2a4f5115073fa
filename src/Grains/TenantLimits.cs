namespace CloudSentinel.Grains;

/// <summary>Per-tenant cardinality caps. Section "Limits".</summary>
public sealed class TenantLimits
{
    public const string Section = "Limits";

    /// <summary>Distinct services a tenant may have; names beyond it are folded into __overflow__.</summary>
    public int MaxServicesPerTenant { get; set; } = 10_000;

    /// <summary>Distinct Kubernetes clusters a tenant may have; inputs of further clusters are pooled in the cluster __overflow__.</summary>
    public int MaxClustersPerTenant { get; set; } = 1_000;

    public TenantLimits Validate()
    {
        if (MaxServicesPerTenant < 1) throw new ArgumentException("Limits:MaxServicesPerTenant must be at least 1");
        if (MaxClustersPerTenant < 1) throw new ArgumentException("Limits:MaxClustersPerTenant must be at least 1");
        return this;
    }
}
