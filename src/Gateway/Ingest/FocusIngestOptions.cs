using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// FOCUS file import over HTTP. Section "FocusIngest": a body limit, and the mapping of
/// <see cref="FocusImportOptions"/> by default and per tenant (a tenant entry overrides only what it sets).
/// </summary>
public sealed class FocusIngestOptions
{
    public const string Section = "FocusIngest";

    /// <summary>Largest file accepted. The body is streamed, never held whole, so this bounds time, not memory.</summary>
    public long MaxBodyBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    public FocusMapping Default { get; set; } = new();

    /// <summary>Per-tenant mapping, keyed by tenant.</summary>
    public Dictionary<string, FocusMapping> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The mapping of <paramref name="tenant"/>; null gives the default mapping.</summary>
    public FocusImportOptions For(string? tenant)
    {
        var own = tenant is null ? null : Tenants.GetValueOrDefault(tenant);
        var defaults = new FocusImportOptions();
        return defaults with
        {
            ServiceTagKeys = own?.ServiceTagKeys ?? Default.ServiceTagKeys ?? defaults.ServiceTagKeys,
            CostColumn = own?.CostColumn ?? Default.CostColumn ?? defaults.CostColumn,
            UsdRates = own?.UsdRates ?? Default.UsdRates ?? defaults.UsdRates,
        };
    }

    public void Validate()
    {
        if (MaxBodyBytes <= 0) throw new ArgumentException("FocusIngest:MaxBodyBytes must be positive");
        foreach (var tenant in Tenants.Keys)
        {
            if (Names.CheckTenant(tenant) is { } problem) throw new ArgumentException($"FocusIngest:Tenants: '{tenant}' {problem}");
            For(tenant).Validate();
        }

        For(null).Validate();
    }
}

/// <summary>The configurable part of a FOCUS mapping; null keeps the default.</summary>
public sealed class FocusMapping
{
    /// <summary>Tag keys naming the application service, first present wins (default application, app, service).</summary>
    public string[]? ServiceTagKeys { get; set; }

    /// <summary>EffectiveCost (default) or BilledCost.</summary>
    public FocusCostColumn? CostColumn { get; set; }

    /// <summary>USD per unit of each other billing currency; rows in an unlisted currency are rejected.</summary>
    public Dictionary<string, decimal>? UsdRates { get; set; }
}
