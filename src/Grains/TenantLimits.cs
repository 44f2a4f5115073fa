namespace CloudSentinel.Grains;

/// <summary>Per-tenant cardinality caps. Section "Limits".</summary>
public sealed class TenantLimits
{
    public const string Section = "Limits";

    /// <summary>Distinct services a tenant may have; names beyond it are folded into __overflow__.</summary>
    public int MaxServicesPerTenant { get; set; } = 10_000;

    public TenantLimits Validate()
    {
        if (MaxServicesPerTenant < 1) throw new ArgumentException("Limits:MaxServicesPerTenant must be at least 1");
        return this;
    }
}
