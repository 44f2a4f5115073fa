namespace CloudSentinel.Grains.Abstractions;

/// <summary>The closed sets of values that labels, table columns and ingest records share.</summary>
public static class CostVocabulary
{
    public const string UntaggedService = "untagged";

    public static readonly IReadOnlySet<string> Providers = new HashSet<string>(StringComparer.Ordinal)
        { "aws", "gcp", "azure", "oci", "other" };

    public static readonly IReadOnlySet<string> CostTypes = new HashSet<string>(StringComparer.Ordinal)
        { "compute", "storage", "network", "database", "other" };

    public static readonly IReadOnlySet<string> Directions = new HashSet<string>(StringComparer.Ordinal)
        { "ingress", "egress" };
}
