using System.Data.Common;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Which cluster each billed node instance belongs to, per tenant, as the clusters' own Prometheus
/// report it (kube_node_info). Kept in an <see cref="IClusterNodeStore"/> (PostgreSQL's cluster_nodes)
/// so every gateway and silo routes a node's untagged cost the same way; each process holds a snapshot
/// that a timer reloads every <paramref name="refresh"/>, so <see cref="ClusterOf"/> never waits on the
/// database inside a request. Without a store (the in-memory mode) the map lives in this process only.
/// </summary>
public sealed class ClusterNodeMap : IDisposable
{
    private readonly IClusterNodeStore? _store;
    private readonly ITimer? _timer;
    private readonly object _writeLock = new();
    private volatile Dictionary<(string Tenant, string Instance), string> _nodes = [];
    private int _loading;

    public ClusterNodeMap(IClusterNodeStore? store, TimeProvider clock, TimeSpan refresh)
    {
        _store = store;
        if (store is not null) _timer = clock.CreateTimer(_ => _ = ReloadAsync(), null, TimeSpan.Zero, refresh);
    }

    /// <summary>No node is known (yet): no record can be routed by its resource id.</summary>
    public bool IsEmpty => _nodes.Count == 0;

    /// <summary>The cluster whose node the billed resource is, or null. Instance ids compare trimmed and case-insensitively.</summary>
    public string? ClusterOf(string tenant, string? resourceId) =>
        string.IsNullOrWhiteSpace(resourceId) ? null : _nodes.GetValueOrDefault((tenant, resourceId.Trim().ToLowerInvariant()));

    /// <summary>Records that <paramref name="instances"/> (normalised ids) were nodes of the cluster at <paramref name="seen"/>; an instance seen in another cluster before moves.</summary>
    public async Task SaveAsync(string tenant, string cluster, IReadOnlyList<string> instances, DateTime seen, CancellationToken cancellationToken)
    {
        if (instances.Count == 0) return;
        if (_store is not null) await _store.SaveAsync(tenant, cluster, instances, seen, cancellationToken);

        // This process routes by it at once; the others at their next reload.
        lock (_writeLock)
        {
            var next = new Dictionary<(string, string), string>(_nodes);
            foreach (var instance in instances) next[(tenant, instance)] = cluster;
            _nodes = next;
        }
    }

    /// <summary>Reads the whole store into a new snapshot; a failed read keeps the last one until the next tick.</summary>
    public async Task ReloadAsync()
    {
        if (_store is null || Interlocked.Exchange(ref _loading, 1) == 1) return;
        try
        {
            var next = await _store.LoadAsync(CancellationToken.None);
            lock (_writeLock) _nodes = next;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is down or not migrated yet: routing keeps the last snapshot.
        }
        finally
        {
            Volatile.Write(ref _loading, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
