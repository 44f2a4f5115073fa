using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Grains;

/// <summary>
/// A tenant's service names, capped at <see cref="TenantLimits.MaxServicesPerTenant"/>. It starts
/// from the names PostgreSQL holds, so a restart keeps the same services; names come first come
/// first served, and a name once admitted stays admitted.
/// </summary>
public sealed class TenantCatalogGrain(IBucketStore store, IOptions<TenantLimits> limits, ILogger<TenantCatalogGrain> logger) : Grain, ITenantCatalogGrain
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private DateTime _lastWarning = DateTime.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var name in await store.LoadServiceNamesAsync(this.GetPrimaryKeyString(), cancellationToken)) _services.Add(name);
    }

    public Task<string[]> AdmitServices(string[] services)
    {
        var admitted = new List<string>(services.Length);
        var refused = 0;
        foreach (var service in services)
        {
            if (_services.Contains(service) || (_services.Count < limits.Value.MaxServicesPerTenant && _services.Add(service))) admitted.Add(service);
            else refused++;
        }

        if (refused > 0 && DateTime.UtcNow - _lastWarning > TimeSpan.FromMinutes(1))
        {
            _lastWarning = DateTime.UtcNow;
            logger.LogWarning("Tenant {Tenant} is at its cap of {Cap} services: {Refused} new service names were folded into {Overflow} (totals stay exact); raise Limits:MaxServicesPerTenant to give them series of their own",
                this.GetPrimaryKeyString(), limits.Value.MaxServicesPerTenant, refused, CostVocabulary.OverflowService);
        }

        return Task.FromResult(admitted.ToArray());
    }
}
