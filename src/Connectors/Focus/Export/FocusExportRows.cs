using System.Globalization;
using System.Text.Json;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Connectors;

/// <summary>
/// Turns hourly buckets into FOCUS 1.3 rows (values as invariant text, in <see cref="Focus13Schema"/>
/// order). A bucket of the service's own cost is one row with the service in Tags. A service's share
/// of a cluster (source <c>shared:{cluster}</c>) is an allocated charge of the cluster's cost:
/// ResourceId is the cluster, AllocatedMethodId names CloudSentinel's allocation, AllocatedTags the
/// service; Kubernetes compute is split further into one row per pod when the pods' amounts add up to
/// the bucket exactly. Every row's cost comes from one bucket, and the rows of a bucket add up to it
/// exactly, so the export's money equals <c>service_costs</c>.
/// </summary>
public static class FocusExportRows
{
    public const string AllocatedMethodId = "cloudsentinel-shared-infrastructure-v1";
    public const string SharedSourcePrefix = "shared:";

    /// <summary>The tag key that carries the application service, which the importer reads first.</summary>
    public const string ServiceTagKey = "application";

    private static readonly Dictionary<string, string> ServiceCategories = new(StringComparer.Ordinal)
    {
        ["compute"] = "Compute", ["storage"] = "Storage", ["network"] = "Networking", ["database"] = "Databases", ["other"] = "Other",
    };

    private static readonly Dictionary<string, string> ProviderNames = new(StringComparer.Ordinal)
    {
        ["aws"] = "Amazon Web Services", ["azure"] = "Microsoft", ["gcp"] = "Google Cloud", ["oci"] = "Oracle", ["other"] = "Other",
    };

    private static readonly Dictionary<string, string> ResourceTypes = new(StringComparer.Ordinal)
    {
        ["compute"] = "kubernetes", ["storage"] = "storage", ["network"] = "load_balancer",
    };

    public static IEnumerable<string?[]> From(string tenant, ServiceCostLine line)
    {
        if (!line.Source.StartsWith(SharedSourcePrefix, StringComparison.Ordinal))
        {
            var row = Common(tenant, line, line.CostUsd);
            Set(row, "ChargeDescription", $"{line.CostType} cost of service {line.ServiceName}");
            Set(row, "Tags", Json(new Dictionary<string, string> { [ServiceTagKey] = line.ServiceName }));
            yield return row;
            yield break;
        }

        var cluster = line.Source[SharedSourcePrefix.Length..];
        var resourceType = ResourceTypes.GetValueOrDefault(line.CostType, line.CostType);
        var pods = line.Pods is { Count: > 0 } p && line.CostType == "compute" && p.Sum(x => x.CostUsd) == line.CostUsd ? p : null;
        if (pods is null)
        {
            yield return Allocated(tenant, line, cluster, resourceType, line.CostUsd, $"{cluster}/service/{line.ServiceName}", line.ServiceName, null);
            yield break;
        }

        foreach (var pod in pods)
        {
            yield return Allocated(tenant, line, cluster, resourceType, pod.CostUsd, $"{cluster}/{pod.Namespace}/{pod.PodName}", pod.PodName, pod.Namespace);
        }
    }

    private static string?[] Allocated(string tenant, ServiceCostLine line, string cluster, string resourceType, decimal costUsd,
        string allocatedId, string allocatedName, string? podNamespace)
    {
        var row = Common(tenant, line, costUsd);
        Set(row, "ChargeDescription", $"shared {resourceType} cost of cluster {cluster} allocated to service {line.ServiceName}");
        Set(row, "ResourceId", cluster);
        Set(row, "ResourceName", cluster);
        Set(row, "ResourceType", "Kubernetes cluster");
        Set(row, "AllocatedMethodId", AllocatedMethodId);
        var details = new Dictionary<string, object> { ["ResourceType"] = resourceType, ["Rules"] = "docs/allocation.md" };
        if (line.CpuAllocationPercent is { } cpu) details["CpuAllocationPercent"] = cpu;
        if (line.MemoryAllocationPercent is { } memory) details["MemoryAllocationPercent"] = memory;
        Set(row, "AllocatedMethodDetails", JsonSerializer.Serialize(details));
        Set(row, "AllocatedResourceId", allocatedId);
        Set(row, "AllocatedResourceName", allocatedName);
        var tags = new Dictionary<string, string> { [ServiceTagKey] = line.ServiceName };
        if (podNamespace is not null) tags["kubernetes_namespace"] = podNamespace;
        Set(row, "AllocatedTags", Json(tags));
        return row;
    }

    private static string?[] Common(string tenant, ServiceCostLine line, decimal costUsd)
    {
        var row = new string?[Focus13Schema.Columns.Count];
        var amount = costUsd.ToString(CultureInfo.InvariantCulture);
        var provider = ProviderNames.GetValueOrDefault(line.Provider, "Other");
        var month = new DateTime(line.Hour.Year, line.Hour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        Set(row, "BilledCost", amount);
        Set(row, "EffectiveCost", amount);
        Set(row, "ListCost", amount);
        Set(row, "ContractedCost", amount);
        Set(row, "BillingAccountId", $"cloudsentinel:{tenant}");
        Set(row, "BillingAccountName", tenant);
        Set(row, "BillingCurrency", "USD");
        Set(row, "BillingPeriodStart", Time(month));
        Set(row, "BillingPeriodEnd", Time(month.AddMonths(1)));
        Set(row, "ChargeCategory", costUsd < 0 ? "Credit" : "Usage");
        Set(row, "ChargeFrequency", "Usage-Based");
        Set(row, "ChargePeriodStart", Time(line.Hour));
        Set(row, "ChargePeriodEnd", Time(line.Hour.AddHours(1)));
        Set(row, "HostProviderName", provider);
        Set(row, "ServiceProviderName", provider);
        Set(row, "InvoiceIssuerName", provider);
        Set(row, "PricingQuantity", "1");
        Set(row, "PricingUnit", "Hours");
        var category = ServiceCategories.GetValueOrDefault(line.CostType, "Other");
        Set(row, "ServiceCategory", category);
        Set(row, "ServiceName", category);
        Set(row, "SubAccountId", line.AccountId.Length > 0 ? line.AccountId : null);
        Set(row, "x_CloudSentinelSource", line.Source.Length > 0 ? line.Source : null);
        Set(row, "x_CloudSentinelBreakdown", line.Breakdown.Length > 0 ? line.Breakdown : null);
        return row;
    }

    private static void Set(string?[] row, string column, string? value) => row[Focus13Schema.Index[column]] = value;

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Json(Dictionary<string, string> tags) => JsonSerializer.Serialize(tags);

    /// <summary>Checks a built row against the column rules; a violation is a defect here, never the user's data.</summary>
    public static void Check(string?[] row)
    {
        var errors = new List<IngestError>();
        FocusConformance.CheckRow(0, name => row[Focus13Schema.Index[name]], errors);
        if (errors.Count > 0) throw new InvalidOperationException($"the FOCUS export built a row that breaks the FOCUS 1.3 rules: {string.Join("; ", errors)}");
    }
}
