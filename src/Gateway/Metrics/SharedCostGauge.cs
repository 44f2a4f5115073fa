using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// cloudsentinel_shared_cost_allocated_usd{tenant, cluster_name, resource_type, service_name}: each
/// cluster snapshot replaces the series of its cluster, removing those it no longer has.
/// </summary>
public sealed class SharedCostGauge
{
    private readonly TenantGauge _allocated;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<string[]>> _seriesByCluster = new(StringComparer.Ordinal);

    public SharedCostGauge(TenantRegistries registries)
    {
        _allocated = registries.Gauge(
            "cloudsentinel_shared_cost_allocated_usd",
            "Shared infrastructure cost in USD of the cluster's latest ended hour with data allocated to the service, by resource type (kubernetes, storage, load_balancer).",
            "tenant", "cluster_name", "resource_type", "service_name");
    }

    public void Apply(ClusterSnapshot snapshot)
    {
        var series = snapshot.Rows
            .Select(r => (Labels: new[] { snapshot.Tenant, snapshot.Cluster, r.ResourceType, r.ServiceName }, Value: (double)r.AllocatedCostUsd))
            .ToList();
        lock (_gate)
        {
            if (_seriesByCluster.TryGetValue(snapshot.Key, out var previous))
            {
                var current = series.Select(s => string.Join('\u0001', s.Labels)).ToHashSet(StringComparer.Ordinal);
                foreach (var labels in previous.Where(l => !current.Contains(string.Join('\u0001', l)))) _allocated.Remove(labels);
            }

            foreach (var (labels, value) in series) _allocated.Set(labels, value);
            _seriesByCluster[snapshot.Key] = series.Select(s => s.Labels).ToList();
        }
    }
}
