namespace CloudSentinel.Connectors;

/// <summary>A provider service whose name contains <paramref name="Keyword"/> (ignoring case) has this cost type.</summary>
public sealed record CostTypeRule(string Keyword, string CostType);

/// <summary>
/// Maps the product names that cost APIs group by (Cost Explorer SERVICE, Azure ServiceName, GCP
/// service.description) to our cost types. Rules are tried in order, so the more specific ones come first.
/// </summary>
public static class ProviderServiceCostTypes
{
    public static IReadOnlyList<CostTypeRule> Defaults { get; } =
    [
        new("Data Transfer", "network"), new("Bandwidth", "network"), new("CloudFront", "network"),
        new("Virtual Private Cloud", "network"), new("VPC", "network"), new("Load Balanc", "network"),
        new("Network", "network"), new("NAT Gateway", "network"),
        new("CDN", "network"), new("DNS", "network"), new("Route 53", "network"),
        new("Database", "database"), new("RDS", "database"), new("SQL", "database"), new("DynamoDB", "database"),
        new("Cosmos", "database"), new("Spanner", "database"), new("Bigtable", "database"), new("Firestore", "database"),
        new("ElastiCache", "database"), new("Redis", "database"), new("Aurora", "database"),
        new("Storage", "storage"), new("S3", "storage"), new("Elastic Block Store", "storage"), new("EBS", "storage"),
        new("Glacier", "storage"), new("Backup", "storage"), new("Disk", "storage"), new("Elastic File System", "storage"),
        new("Compute", "compute"), new("EC2", "compute"), new("Virtual Machine", "compute"), new("Lambda", "compute"),
        new("Functions", "compute"), new("Kubernetes", "compute"), new("Container", "compute"), new("Fargate", "compute"),
        new("App Service", "compute"), new("Cloud Run", "compute"), new("App Engine", "compute"),
    ];

    public static string Classify(string? providerService, IReadOnlyList<CostTypeRule> rules)
    {
        if (string.IsNullOrWhiteSpace(providerService)) return "other";
        foreach (var rule in rules)
        {
            if (providerService.Contains(rule.Keyword, StringComparison.OrdinalIgnoreCase)) return rule.CostType;
        }

        return "other";
    }
}
