using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains;

/// <summary>
/// The latest snapshot of each service hashed to this shard, versioned so a gateway fetches only
/// what changed since its last poll. If the shard is lost, grains re-publish within a minute and
/// the new epoch tells gateways to take the full set again.
/// </summary>
public sealed class MetricsShardGrain : Grain, IMetricsShardGrain
{
    private readonly Dictionary<string, (ServiceSnapshot Snapshot, long Version)> _snapshots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ClusterSnapshot Snapshot, long Version)> _clusters = new(StringComparer.Ordinal);
    private readonly Guid _epoch = Guid.NewGuid();
    private long _version;

    public Task Publish(ServiceSnapshot snapshot)
    {
        _snapshots[snapshot.Key] = (snapshot, ++_version);
        return Task.CompletedTask;
    }

    public Task PublishCluster(ClusterSnapshot snapshot)
    {
        _clusters[snapshot.Key] = (snapshot, ++_version);
        return Task.CompletedTask;
    }

    public Task<SnapshotChanges> GetChangesSince(Guid epoch, long version)
    {
        var full = epoch != _epoch;
        var changed = _snapshots.Values
            .Where(s => full || s.Version > version)
            .Select(s => s.Snapshot)
            .ToArray();
        var clusters = _clusters.Values
            .Where(s => full || s.Version > version)
            .Select(s => s.Snapshot)
            .ToArray();
        return Task.FromResult(new SnapshotChanges(_epoch, _version, full, changed, clusters));
    }
}
