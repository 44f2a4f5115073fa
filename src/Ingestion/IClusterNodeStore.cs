namespace CloudSentinel.Ingestion;

/// <summary>
/// Where the node → cluster map is shared between processes (cluster_nodes in PostgreSQL), so that
/// every gateway and silo routes a node's untagged cost the same way. <see cref="ClusterNodeMap"/>
/// holds the snapshot; without a store (the in-memory mode) the map lives in its process only.
/// </summary>
public interface IClusterNodeStore
{
    /// <summary>Records that <paramref name="instances"/> were nodes of the cluster at <paramref name="seen"/>; an instance seen in another cluster before moves.</summary>
    Task SaveAsync(string tenant, string cluster, IReadOnlyList<string> instances, DateTime seen, CancellationToken cancellationToken);

    /// <summary>Every known node (a row per node: small).</summary>
    Task<Dictionary<(string Tenant, string Instance), string>> LoadAsync(CancellationToken cancellationToken);
}
