using System.Collections.Frozen;
using CloudSentinel.Allocation;

namespace CloudSentinel.Grains.Clusters;

/// <summary>
/// How cluster grains allocate, keep and report. Section "Allocation"; per-tenant policy under
/// "Allocation:Tenants:{tenant}", falling back to "Allocation:Default".
/// </summary>
public sealed class AllocationOptions
{
    public const string Section = "Allocation";

    /// <summary>How much hourly input a cluster grain keeps in memory (and restores on activation).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(35);

    public TenantPolicyOptions Default { get; set; } = new();

    public Dictionary<string, TenantPolicyOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    public AllocationPolicy PolicyFor(string tenant) =>
        (Tenants.TryGetValue(tenant, out var own) ? own : Default).ToPolicy();

    public void Validate()
    {
        if (Retention < TimeSpan.FromDays(32)) throw new ArgumentException("Allocation:Retention must cover a whole month (at least 32 days)");
        Default.Validate("Allocation:Default");
        foreach (var (tenant, policy) in Tenants) policy.Validate($"Allocation:Tenants:{tenant}");
    }
}

/// <summary>One tenant's allocation policy as configured; see docs/allocation.md, "Policy".</summary>
public sealed class TenantPolicyOptions
{
    /// <summary>Share (default) or Separate (idle cost reported as the __idle__ service).</summary>
    public string IdleMode { get; set; } = nameof(Allocation.IdleMode.Share);

    /// <summary>Empty means the default, {kube-system} (a configured list replaces it; arrays in defaults would be appended to).</summary>
    public string[] SystemNamespaces { get; set; } = [];

    public bool ShareSystemNamespaces { get; set; } = true;

    public void Validate(string section)
    {
        if (!Enum.TryParse<IdleMode>(IdleMode, ignoreCase: true, out _))
        {
            throw new ArgumentException($"{section}:IdleMode '{IdleMode}' is not one of Share, Separate");
        }

        if (SystemNamespaces.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"{section}:SystemNamespaces must not hold blank names");
    }

    public AllocationPolicy ToPolicy() => new()
    {
        IdleMode = Enum.Parse<IdleMode>(IdleMode, ignoreCase: true),
        SystemNamespaces = SystemNamespaces.Length == 0
            ? AllocationPolicy.DefaultSystemNamespaces
            : SystemNamespaces.Select(n => n.Trim()).ToFrozenSet(StringComparer.Ordinal),
        ShareSystemNamespaces = ShareSystemNamespaces,
    };
}
