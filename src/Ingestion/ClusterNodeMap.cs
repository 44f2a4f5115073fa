using Npgsql;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Which cluster each billed node instance belongs to, per tenant, as the clusters' own Prometheus
/// report it (kube_node_info). Kept in PostgreSQL (cluster_nodes) so every gateway and silo routes a
/// node's untagged cost the same way; each process holds a snapshot that a timer reloads every
/// <paramref name="refresh"/>, so <see cref="ClusterOf"/> never waits on the database inside a request.
/// Without a data source (the in-memory mode) the map lives in this process only.
/// </summary>
public sealed class ClusterNodeMap : IDisposable
{
    private readonly NpgsqlDataSource? _dataSource;
    private readonly ITimer? _timer;
    private readonly object _writeLock = new();
    private volatile Dictionary<(string Tenant, string Instance), string> _nodes = [];
    private int _loading;

    public ClusterNodeMap(NpgsqlDataSource? dataSource, TimeProvider clock, TimeSpan refresh)
    {
        _dataSource = dataSource;
        if (dataSource is not null) _timer = clock.CreateTimer(_ => _ = ReloadAsync(), null, TimeSpan.Zero, refresh);
    }

    /// <summary>The cluster whose node the billed resource is, or null. Instance ids compare trimmed and case-insensitively.</summary>
    /// <summary>No node is known (yet): no record can be routed by its resource id.</summary>
    public bool IsEmpty => _nodes.Count == 0;

    public string? ClusterOf(string tenant, string? resourceId) =>
        string.IsNullOrWhiteSpace(resourceId) ? null : _nodes.GetValueOrDefault((tenant, resourceId.Trim().ToLowerInvariant()));

    /// <summary>Records that <paramref name="instances"/> (normalised ids) were nodes of the cluster at <paramref name="seen"/>; an instance seen in another cluster before moves.</summary>
    public async Task SaveAsync(string tenant, string cluster, IReadOnlyList<string> instances, DateTime seen, CancellationToken cancellationToken)
    {
        if (instances.Count == 0) return;
        if (_dataSource is not null)
        {
            await using var command = _dataSource.CreateCommand("""
                INSERT INTO cluster_nodes (tenant_id, instance_id, cluster_name, last_seen)
                SELECT $1, i, $2, $3 FROM unnest($4::text[]) AS i
                ON CONFLICT (tenant_id, instance_id) DO UPDATE SET cluster_name = EXCLUDED.cluster_name, last_seen = GREATEST(cluster_nodes.last_seen, EXCLUDED.last_seen)
                """);
            command.Parameters.Add(new() { Value = tenant });
            command.Parameters.Add(new() { Value = cluster });
            command.Parameters.Add(new() { Value = DateTime.SpecifyKind(seen, DateTimeKind.Utc) });
            command.Parameters.Add(new() { Value = instances.ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // This process routes by it at once; the others at their next reload.
        lock (_writeLock)
        {
            var next = new Dictionary<(string, string), string>(_nodes);
            foreach (var instance in instances) next[(tenant, instance)] = cluster;
            _nodes = next;
        }
    }

    /// <summary>Reads the whole table (a row per node: small) into a new snapshot; a failed read keeps the last one until the next tick.</summary>
    public async Task ReloadAsync()
    {
        if (_dataSource is null || Interlocked.Exchange(ref _loading, 1) == 1) return;
        try
        {
            var next = new Dictionary<(string, string), string>();
            await using var command = _dataSource.CreateCommand("SELECT tenant_id, instance_id, cluster_name FROM cluster_nodes");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) next[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
            lock (_writeLock) _nodes = next;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
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
