using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Grains;

/// <summary>
/// A tenant's service and cluster names, capped at <see cref="TenantLimits.MaxServicesPerTenant"/>
/// and <see cref="TenantLimits.MaxClustersPerTenant"/>. It starts from the names PostgreSQL holds,
/// so a restart keeps the same ones; names are first come first served, and once admitted stay so.
/// </summary>
public sealed class TenantCatalogGrain(IBucketStore buckets, IAllocationStore clusters, IOptions<TenantLimits> limits, ILogger<TenantCatalogGrain> logger)
    : Grain, ITenantCatalogGrain
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private readonly HashSet<string> _clusters = new(StringComparer.Ordinal);
    private DateTime _lastWarning = DateTime.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _services.UnionWith(await buckets.LoadServiceNamesAsync(this.GetPrimaryKeyString(), cancellationToken));
        _clusters.UnionWith(await clusters.LoadClusterNamesAsync(this.GetPrimaryKeyString(), cancellationToken));
    }

    public Task<string[]> AdmitServices(string[] services) => Task.FromResult(Admit(_services, services, limits.Value.MaxServicesPerTenant, "services", "Limits:MaxServicesPerTenant"));

    public Task<string[]> AdmitClusters(string[] names) => Task.FromResult(Admit(_clusters, names, limits.Value.MaxClustersPerTenant, "clusters", "Limits:MaxClustersPerTenant"));

    private string[] Admit(HashSet<string> known, string[] names, int cap, string kind, string setting)
    {
        var admitted = new List<string>(names.Length);
        var refused = 0;
        foreach (var name in names)
        {
            if (known.Contains(name) || (known.Count < cap && known.Add(name))) admitted.Add(name);
            else refused++;
        }

        if (refused > 0 && DateTime.UtcNow - _lastWarning > TimeSpan.FromMinutes(1))
        {
            _lastWarning = DateTime.UtcNow;
            logger.LogWarning("Tenant {Tenant} is at its cap of {Cap} {Kind}: {Refused} new names were folded into {Overflow} (totals stay exact); raise {Setting} to give them their own",
                this.GetPrimaryKeyString(), cap, kind, refused, CostVocabulary.OverflowService, setting);
        }

        return [.. admitted];
    }
}
