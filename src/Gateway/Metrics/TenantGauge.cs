using System.Collections.Concurrent;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>A gauge kept in the gateway's registry and in its tenant's (labels[0]).</summary>
public sealed class TenantGauge
{
    private readonly TenantRegistries _registries;
    private readonly GaugeConfiguration _configuration;
    private readonly string _name;
    private readonly string _help;
    private readonly Gauge _all;
    private readonly ConcurrentDictionary<string, Gauge> _byTenant = new(StringComparer.Ordinal);

    public TenantGauge(TenantRegistries registries, string name, string help, string[] labels)
    {
        if (labels.Length == 0 || labels[0] != "tenant") throw new ArgumentException($"{name}: a tenant gauge's first label is tenant");
        (_registries, _name, _help) = (registries, name, help);
        _configuration = new GaugeConfiguration { LabelNames = labels, SuppressInitialValue = true };
        _all = Prometheus.Metrics.WithCustomRegistry(registries.All).CreateGauge(name, help, _configuration);
    }

    public void Set(string[] labels, double value)
    {
        _all.WithLabels(labels).Set(value);
        Own(labels[0]).WithLabels(labels).Set(value);
    }

    public void Remove(params string[] labels)
    {
        _all.RemoveLabelled(labels);
        Own(labels[0]).RemoveLabelled(labels);
    }

    private Gauge Own(string tenant) => _byTenant.GetOrAdd(tenant, t => Prometheus.Metrics.WithCustomRegistry(_registries.For(t)).CreateGauge(_name, _help, _configuration));
}
