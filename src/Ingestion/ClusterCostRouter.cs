using System.Globalization;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>Where a cluster's cost record (cluster-tagged, or of a known node instance) goes: its cluster, the component it pays for, and the node capacity it states.</summary>
public sealed record ClusterRoute(string Cluster, string Component, string Pool, decimal CpuCapacityCoreHours, decimal MemoryCapacityGbHours);

/// <summary>
/// Decides which cost records are a cluster's own cost (nodes, shared volumes, load balancers) and
/// what they pay for. Such a record is allocated to the services that use the cluster, so it must
/// not also count under the service name it was billed with. The rules are in docs/allocation.md.
/// </summary>
public sealed class ClusterCostRouter(ClusterRoutingOptions options, ClusterNodeMap? nodes = null)
{
    /// <summary>Tags of a compute record that state the allocatable size of the nodes it paid for (core-hours, GB-hours over its period).</summary>
    public const string CpuCapacityTag = "cpu_capacity_core_hours";
    public const string MemoryCapacityTag = "memory_capacity_gb_hours";

    private const int MaxClusterNameLength = 253;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <summary>
    /// The record's route, or null when no tag names a cluster and its resource id is no cluster's node. Problems (a bad cluster name, a
    /// capacity tag that is not a number ≥ 0) are added to <paramref name="errors"/> when given;
    /// without a list, as for trusted sources, a bad capacity counts as unknown.
    /// </summary>
    public ClusterRoute? Route(CostRecord record, long index, List<IngestError>? errors)
    {
        string cluster;
        if (record.Tags is not null && FindTag(record.Tags, options.ClusterTagKeys) is { } clusterTag)
        {
            cluster = clusterTag.Value.Trim();
            if (cluster.Length > MaxClusterNameLength || cluster.Any(char.IsControl))
            {
                errors?.Add(new IngestError(index, $"tags.{clusterTag.Key}", $"names a cluster that is longer than {MaxClusterNameLength} characters or holds control characters"));
                return null;
            }
        }
        // An untagged bill line of an instance that a cluster's Prometheus names as its node (kube_node_info).
        else if (nodes?.ClusterOf(record.Tenant, record.ResourceId) is { } nodeCluster) cluster = nodeCluster;
        else return null;

        var tags = record.Tags ?? NoTags;

        switch (record.CostType)
        {
            case "compute":
                return new ClusterRoute(cluster, ClusterComponents.Node, "",
                    Capacity(tags, CpuCapacityTag, index, errors), Capacity(tags, MemoryCapacityTag, index, errors));
            case "storage" when !string.IsNullOrEmpty(record.StorageType):
                return new ClusterRoute(cluster, ClusterComponents.Storage, record.StorageType, 0m, 0m);
            case "network" or "other" when FindTag(tags, options.LoadBalancerTagKeys) is { } balancer:
                return new ClusterRoute(cluster, ClusterComponents.LoadBalancer, balancer.Value.Trim(), 0m, 0m);
            default:
                // Management fees, NAT and cross-zone traffic, volumes of no known type: the cluster as a whole.
                return new ClusterRoute(cluster, ClusterComponents.Node, "", 0m, 0m);
        }
    }

    /// <summary>Some cluster's nodes are known, so a record's resource id may make it that cluster's cost.</summary>
    public bool RoutesByResource => nodes is { IsEmpty: false };

    /// <summary>
    /// Whether a tag key, as the raw UTF-8 a request sent it in, may name a cluster: an ASCII key
    /// equal, ignoring case, to a cluster tag key. A key this cannot settle on its bytes (not ASCII,
    /// white space at an end) counts as one, so that its record takes the slow way through <see cref="Route"/>.
    /// </summary>
    public bool MayNameCluster(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || !System.Text.Ascii.IsValid(key) || key[0] <= (byte)' ' || key[^1] <= (byte)' ') return true;
        foreach (var wanted in options.ClusterTagKeys)
        {
            // A configured key beyond ASCII could equal an ASCII one under case-insensitive rules (ı and I): the slow way decides.
            if (!System.Text.Ascii.IsValid(wanted) || System.Text.Ascii.EqualsIgnoreCase(key, wanted.AsSpan().Trim())) return true;
        }

        return false;
    }

    /// <summary>Adds a problem of a record's cluster tags to <paramref name="errors"/>, as validation of a request.</summary>
    public void Check(CostRecord record, long index, List<IngestError> errors) => Route(record, index, errors);

    /// <summary>Folds cluster-tagged records into <paramref name="clusters"/> and returns the others, which belong to their service.</summary>
    public List<CostRecord> Split(IEnumerable<CostRecord> records, ClusterInputAggregator clusters)
    {
        var services = new List<CostRecord>();
        foreach (var record in records)
        {
            if (Route(record, 0, null) is { } route) clusters.Add(record, route);
            else services.Add(record);
        }

        return services;
    }

    private static KeyValuePair<string, string>? FindTag(IReadOnlyDictionary<string, string> tags, string[] keys)
    {
        foreach (var wanted in keys)
        {
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(tag.Value)) return tag;
            }
        }

        return null;
    }

    private static decimal Capacity(IReadOnlyDictionary<string, string> tags, string name, long index, List<IngestError>? errors)
    {
        var tag = tags.FirstOrDefault(t => string.Equals(t.Key.Trim(), name, StringComparison.OrdinalIgnoreCase));
        if (tag.Key is null) return 0m;
        if (decimal.TryParse(tag.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0) return value;
        errors?.Add(new IngestError(index, $"tags.{tag.Key}", $"\"{tag.Value}\" is not a number ≥ 0 (the nodes' allocatable size over the period)"));
        return 0m;
    }
}
