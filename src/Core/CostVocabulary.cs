namespace CloudSentinel.Core;

/// <summary>The closed sets of values that labels, table columns and ingest records share.</summary>
public static class CostVocabulary
{
    /// <summary>Pods and buckets whose service could not be resolved.</summary>
    public const string UntaggedService = "untagged";

    /// <summary>The allocation's service for cost nobody used: spare capacity, or a pool no pod takes part in; reserved, so no record may name it.</summary>
    public const string IdleService = "__idle__";

    /// <summary>Where the cost of services beyond a tenant's cap goes; each keeps its own buckets (source "overflow:{service}"), so totals stay exact.</summary>
    public const string OverflowService = "__overflow__";

    /// <summary>The bucket source of an overflowed service's cost: its own name, so its restatements replace only its own amounts.</summary>
    public static string OverflowSource(string service, string source) => source.Length == 0 ? $"overflow:{service}" : $"overflow:{service}|{source}";

    /// <summary>
    /// The bucket source of the services' shares of a cluster's cost: the cluster grain writes them and
    /// the allocation store reads them back by it, so both must spell it the same.
    /// </summary>
    public static string SharedSource(string cluster) => SharedSourcePrefix + cluster;

    /// <summary>The cluster whose shared cost a bucket source holds, or null when the service's own cost.</summary>
    public static string? SharedCluster(string source) =>
        source.StartsWith(SharedSourcePrefix, StringComparison.Ordinal) ? source[SharedSourcePrefix.Length..] : null;

    private const string SharedSourcePrefix = "shared:";

    public static readonly IReadOnlySet<string> Providers = new HashSet<string>(StringComparer.Ordinal)
        { "aws", "gcp", "azure", "oci", "other" };

    public static readonly IReadOnlySet<string> CostTypes = new HashSet<string>(StringComparer.Ordinal)
        { "compute", "storage", "network", "database", "other" };

    public static readonly IReadOnlySet<string> Directions = new HashSet<string>(StringComparer.Ordinal)
        { "ingress", "egress" };
}
