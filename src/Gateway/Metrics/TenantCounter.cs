using System.Collections.Concurrent;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>A counter kept in the gateway's registry and in its tenant's (labels[0]).</summary>
public sealed class TenantCounter
{
    private readonly TenantRegistries _registries;
    private readonly CounterConfiguration _configuration;
    private readonly string _name;
    private readonly string _help;
    private readonly Counter _all;
    private readonly ConcurrentDictionary<string, Counter> _byTenant = new(StringComparer.Ordinal);

    public TenantCounter(TenantRegistries registries, string name, string help, string[] labels)
    {
        if (labels.Length == 0 || labels[0] != "tenant") throw new ArgumentException($"{name}: a tenant counter's first label is tenant");
        (_registries, _name, _help) = (registries, name, help);
        _configuration = new CounterConfiguration { LabelNames = labels };
        _all = Prometheus.Metrics.WithCustomRegistry(registries.All).CreateCounter(name, help, _configuration);
    }

    public void Inc(string[] labels, double increment)
    {
        _all.WithLabels(labels).Inc(increment);
        _byTenant.GetOrAdd(labels[0], t => Prometheus.Metrics.WithCustomRegistry(_registries.For(t)).CreateCounter(_name, _help, _configuration))
            .WithLabels(labels).Inc(increment);
    }
}
