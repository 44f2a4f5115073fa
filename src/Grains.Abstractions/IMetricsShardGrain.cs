namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// Holds the latest <see cref="ServiceSnapshot"/> of the services hashed to it, so that gateways
/// read a few shards instead of every grain. Integer key 0 .. <see cref="MetricsShards.Count"/> − 1.
/// </summary>
public interface IMetricsShardGrain : IGrainWithIntegerKey
{
    Task Publish(ServiceSnapshot snapshot);

    /// <summary>Replaces the shared cost allocation snapshot of one cluster.</summary>
    Task PublishCluster(ClusterSnapshot snapshot);

    /// <summary>Snapshots changed after <paramref name="version"/> of <paramref name="epoch"/>; all of them for another epoch.</summary>
    Task<SnapshotChanges> GetChangesSince(Guid epoch, long version);
}

[GenerateSerializer, Immutable, Alias("snapshot-changes")]
public sealed record SnapshotChanges(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] bool IsFull,
    [property: Id(3)] ServiceSnapshot[] Snapshots,
    [property: Id(4)] ClusterSnapshot[]? Clusters = null);

public static class MetricsShards
{
    public const int Count = 16;

    /// <summary>A stable shard for a service key (string.GetHashCode is randomized per process).</summary>
    public static int For(string serviceKey)
    {
        uint hash = 2166136261;
        foreach (var c in serviceKey) hash = (hash ^ c) * 16777619;
        return (int)(hash % Count);
    }
}
