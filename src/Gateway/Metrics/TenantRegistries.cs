using System.Collections.Concurrent;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// A registry per tenant beside the gateway's own: every series labelled with a tenant is kept in
/// both, so a tenant's scrape serializes its own series only and costs the same whatever other
/// tenants hold, while the admin's scrape of the gateway's registry sees everything. Each series is
/// held twice; what is saved is a scrape's work, which grows with every tenant's series otherwise.
/// </summary>
public sealed class TenantRegistries(CollectorRegistry all)
{
    private readonly ConcurrentDictionary<string, CollectorRegistry> _byTenant = new(StringComparer.Ordinal);

    public CollectorRegistry All => all;

    /// <summary>The tenant's registry, or null when no series of it was ever set.</summary>
    public CollectorRegistry? Find(string tenant) => _byTenant.GetValueOrDefault(tenant);

    public CollectorRegistry For(string tenant) => _byTenant.GetOrAdd(tenant, _ => Prometheus.Metrics.NewCustomRegistry());

    /// <summary>A gauge whose first label is the tenant.</summary>
    public TenantGauge Gauge(string name, string help, params string[] labels) => new(this, name, help, labels);

    /// <summary>A counter whose first label is the tenant.</summary>
    public TenantCounter Counter(string name, string help, params string[] labels) => new(this, name, help, labels);
}
