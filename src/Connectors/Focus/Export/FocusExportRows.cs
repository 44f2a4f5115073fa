using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Turns hourly buckets into FOCUS 1.3 rows (values as invariant text, in <see cref="Focus13Schema"/>
/// order). A bucket of the service's own cost is one row with the service in Tags. The shares of one
/// cluster charge (source <c>shared:{cluster}</c>, same hour, cost type, breakdown, provider and
/// account) are the allocated charges of one origin charge, the cluster's cost: every split row repeats
/// the origin's dimension columns (ChargeDescription, Tags, ChargeCategory, ResourceId, …), names the part
/// in the Allocated* columns, and carries its AllocatedRatio; the summable metrics of the rows (costs,
/// PricingQuantity, ConsumedQuantity) add up to the origin's. Kubernetes compute is split further into one
/// row per pod when the pods' amounts add up to the service's share exactly. Only the parts are written,
/// so a reader summing the file gets the bill once; every row's cost comes from one bucket, and the rows
/// of a bucket add up to it exactly, so the export's money equals <c>service_costs</c>.
/// </summary>
public static class FocusExportRows
{
    public const string AllocatedMethodId = "cloudsentinel-shared-infrastructure-v1";

    /// <summary>
    /// The prefix of every tag key CloudSentinel itself defines: FOCUS asks a data generator to prefix the
    /// tag keys it defines and to list the prefix in the metadata (ProviderTagPrefixes), so that readers
    /// tell them from the users' own tags.
    /// </summary>
    public const string TagPrefix = "cloudsentinel/";

    /// <summary>The tag key that carries the application service, which the importer reads first.</summary>
    public const string ServiceTagKey = TagPrefix + "application";

    public const string NamespaceTagKey = TagPrefix + "kubernetes-namespace";
    public const string ClusterTagKey = TagPrefix + "cluster";

    /// <summary>
    /// The columns that identify the origin charge of a split row: the cluster (ResourceId), the hour, and what
    /// separates one cluster charge from another (cost type, breakdown, account, provider).
    /// </summary>
    public static readonly IReadOnlyList<string> OriginKeyColumns =
        ["ResourceId", "ChargePeriodStart", "ChargePeriodEnd", "ServiceCategory", "x_CloudSentinelBreakdown", "SubAccountId", "HostProviderName"];

    /// <summary>The unit of ConsumedQuantity on a pod's share of Kubernetes compute: the CPU it used (pod_usage).</summary>
    public const string CpuUnit = "vCPU-Hours";

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

    /// <summary>The rows of buckets read in time order, one hour at a time (an hour's shares must be seen together to split their origin).</summary>
    public static async IAsyncEnumerable<string?[]> FromAsync(string tenant, IAsyncEnumerable<ServiceCostLine> lines,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var hour = new List<ServiceCostLine>();
        await foreach (var line in lines.WithCancellation(ct))
        {
            if (hour.Count > 0 && hour[0].Hour != line.Hour)
            {
                foreach (var row in ForHour(tenant, hour)) yield return row;
                hour.Clear();
            }

            hour.Add(line);
        }

        foreach (var row in ForHour(tenant, hour)) yield return row;
    }

    /// <summary>The rows of one hour's buckets: the services' own costs, then the split charges of each origin.</summary>
    public static IEnumerable<string?[]> ForHour(string tenant, IReadOnlyList<ServiceCostLine> lines)
    {
        foreach (var line in lines.Where(l => !IsShared(l))) yield return Own(tenant, line);
        var origins = lines.Where(IsShared).GroupBy(l => (l.Hour, l.Source, l.CostType, l.Breakdown, l.Provider, l.AccountId));
        foreach (var origin in origins)
        {
            foreach (var row in Split(tenant, origin.ToList())) yield return row;
        }
    }

    private static bool IsShared(ServiceCostLine line) => CostVocabulary.SharedCluster(line.Source) is not null;

    private static string?[] Own(string tenant, ServiceCostLine line)
    {
        var usage = line.CostUsd >= 0;
        var row = Common(tenant, line, line.CostUsd, usage, line);
        Set(row, "ChargeDescription", $"{line.CostType} cost of service {line.ServiceName}");
        Set(row, "Tags", Json(new Dictionary<string, string> { [ServiceTagKey] = line.ServiceName }));
        Set(row, "PricingQuantity", "1");
        // One bucket is one hour of the service's use; a credit has no consumption (FOCUS: null unless Usage).
        Set(row, "ConsumedQuantity", usage ? "1" : null);
        Set(row, "ConsumedUnit", usage ? "Hours" : null);
        // The dataset bills in USD (cost_usd); what the source billed in another currency stays visible beside it.
        if (line.BilledCurrency is { } billed)
        {
            Set(row, "x_CloudSentinelBilledCurrency", billed.Currency);
            Set(row, "x_CloudSentinelBilledAmount", (line.CostUsd / billed.UsdRate).ToString(CultureInfo.InvariantCulture));
        }

        return row;
    }

    /// <summary>One part of an origin charge: a pod's or a service's share.</summary>
    private sealed record Part(ServiceCostLine Line, decimal CostUsd, string AllocatedId, string AllocatedName, string? Namespace, decimal? CpuCoreHours);

    private static IEnumerable<string?[]> Split(string tenant, IReadOnlyList<ServiceCostLine> origin)
    {
        var first = origin[0];
        var cluster = CostVocabulary.SharedCluster(first.Source)!;
        var resourceType = ResourceTypes.GetValueOrDefault(first.CostType, first.CostType);
        var parts = origin.SelectMany(line => Parts(line, cluster)).ToList();
        var ratios = AllocationRatios.Of(parts.Select(p => p.CostUsd).ToList());
        var usage = origin.Sum(l => l.CostUsd) >= 0;
        var byCpu = first.CostType == "compute" && parts.All(p => p.CpuCoreHours is not null);
        // The origin's descriptive values: what every share agrees on, so that all its split rows repeat the same dimensions.
        var described = first with
        {
            ProviderService = Agreed(origin.Select(l => l.ProviderService)),
            Region = Agreed(origin.Select(l => l.Region)),
            SubAccountName = Agreed(origin.Select(l => l.SubAccountName)),
        };

        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var ratio = ratios[i].ToString(CultureInfo.InvariantCulture);
            var row = Common(tenant, part.Line, part.CostUsd, usage, described);
            Set(row, "ChargeDescription", $"shared {resourceType} cost of cluster {cluster}");
            Set(row, "Tags", Json(new Dictionary<string, string> { [ClusterTagKey] = cluster }));
            Set(row, "ResourceId", cluster);
            Set(row, "ResourceName", cluster);
            Set(row, "ResourceType", "Kubernetes cluster");
            Set(row, "PricingQuantity", ratio);
            Set(row, "ConsumedQuantity", !usage ? null : byCpu ? part.CpuCoreHours!.Value.ToString(CultureInfo.InvariantCulture) : ratio);
            Set(row, "ConsumedUnit", !usage ? null : byCpu ? CpuUnit : "Hours");
            Set(row, "AllocatedMethodId", AllocatedMethodId);
            Set(row, "AllocatedMethodDetails", Details(ratios[i], resourceType, part.Line));
            Set(row, "AllocatedResourceId", part.AllocatedId);
            Set(row, "AllocatedResourceName", part.AllocatedName);
            var tags = new Dictionary<string, string> { [ServiceTagKey] = part.Line.ServiceName };
            if (part.Namespace is not null) tags[NamespaceTagKey] = part.Namespace;
            Set(row, "AllocatedTags", Json(tags));
            yield return row;
        }
    }

    private static IEnumerable<Part> Parts(ServiceCostLine line, string cluster)
    {
        var pods = line.Pods is { Count: > 0 } p && line.CostType == "compute" && p.Sum(x => x.CostUsd) == line.CostUsd ? p : null;
        if (pods is null)
        {
            decimal? cpu = line.Pods is { Count: > 0 } known && known.All(x => x.CpuUsageCoreHours is not null) ? known.Sum(x => x.CpuUsageCoreHours!.Value) : null;
            return [new Part(line, line.CostUsd, $"{cluster}/service/{line.ServiceName}", line.ServiceName, null, cpu)];
        }

        return pods.Select(pod => new Part(line, pod.CostUsd, $"{cluster}/{pod.Namespace}/{pod.PodName}", pod.PodName, pod.Namespace, pod.CpuUsageCoreHours));
    }

    /// <summary>The FOCUS 1.3 AllocatedMethodDetails object: one element with the part's AllocatedRatio; CloudSentinel's own keys are x_-prefixed.</summary>
    private static string Details(decimal ratio, string resourceType, ServiceCostLine line)
    {
        var element = new Dictionary<string, object> { ["AllocatedRatio"] = ratio, ["x_ResourceType"] = resourceType };
        if (line.CpuAllocationPercent is { } cpu) element["x_CpuAllocationPercent"] = cpu;
        if (line.MemoryAllocationPercent is { } memory) element["x_MemoryAllocationPercent"] = memory;
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["Elements"] = new[] { element }, ["x_Rules"] = "docs/allocation.md" });
    }

    private static string? Agreed(IEnumerable<string?> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }

    /// <param name="usage">Usage, or Credit when the charge (the origin, for a split row) is negative.</param>
    /// <param name="described">The line whose provider service, region and sub-account name the row shows.</param>
    private static string?[] Common(string tenant, ServiceCostLine line, decimal costUsd, bool usage, ServiceCostLine described)
    {
        var row = new string?[Focus13Schema.Columns.Count];
        var amount = costUsd.ToString(CultureInfo.InvariantCulture);
        var provider = ProviderName(line.Provider);
        var month = UtcHours.MonthStart(line.Hour);
        Set(row, "BilledCost", amount);
        Set(row, "EffectiveCost", amount);
        Set(row, "ListCost", amount);
        Set(row, "ContractedCost", amount);
        Set(row, "BillingAccountId", $"cloudsentinel:{tenant}");
        Set(row, "BillingAccountName", tenant);
        Set(row, "BillingCurrency", "USD");
        Set(row, "BillingPeriodStart", Time(month));
        Set(row, "BillingPeriodEnd", Time(month.AddMonths(1)));
        Set(row, "ChargeCategory", usage ? "Usage" : "Credit");
        Set(row, "ChargeFrequency", "Usage-Based");
        Set(row, "ChargePeriodStart", Time(line.Hour));
        Set(row, "ChargePeriodEnd", Time(line.Hour.AddHours(1)));
        Set(row, "HostProviderName", provider);
        Set(row, "ServiceProviderName", provider);
        // Deprecated in 1.3 but still mandatory: the same provider, as 1.2 readers expect.
        Set(row, "ProviderName", provider);
        Set(row, "PublisherName", provider);
        Set(row, "InvoiceIssuerName", provider);
        // CloudSentinel sees costs, not invoices: the column is there (RECOMMENDED) and null (no invoice is associated).
        Set(row, "PricingUnit", "Hours");
        var category = ServiceCategory(line.CostType);
        Set(row, "ServiceCategory", category);
        // The provider's own service name when the source gave one; otherwise the category is the only name known.
        Set(row, "ServiceName", described.ProviderService ?? category);
        Set(row, "RegionId", described.Region);
        Set(row, "RegionName", described.Region);
        Set(row, "SubAccountId", line.AccountId.Length > 0 ? line.AccountId : null);
        Set(row, "SubAccountName", line.AccountId.Length > 0 ? described.SubAccountName ?? line.AccountId : null);
        Set(row, "x_CloudSentinelSource", line.Source.Length > 0 ? line.Source : null);
        Set(row, "x_CloudSentinelBreakdown", line.Breakdown.Length > 0 ? line.Breakdown : null);
        return row;
    }

    /// <summary>The FOCUS ServiceCategory of a CloudSentinel cost type.</summary>
    public static string ServiceCategory(string costType) => ServiceCategories.GetValueOrDefault(costType, "Other");

    /// <summary>The FOCUS provider name (ServiceProviderName, HostProviderName, …) of a CloudSentinel cloud provider.</summary>
    public static string ProviderName(string provider) => ProviderNames.GetValueOrDefault(provider, "Other");

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
