using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudSentinel.Connectors;

/// <summary>
/// The FOCUS 1.3 metadata of an export: the data generator, the schema (column definitions, FOCUS
/// version), the dataset instance, and its recency — which days of the range are complete — plus, in
/// <c>x_</c> keys, which features of the requirements model the data supports (a rule that depends on an
/// unsupported feature does not apply) and why the billing currency is USD. The CLI writes it next to
/// the file; the API serves it at <c>…/export/focus/metadata</c> and links it from every export.
/// </summary>
public static class FocusExportMetadata
{
    public const string DataGenerator = "CloudSentinel";

    /// <summary>
    /// The requirements model's ApplicabilityCriteria and whether CloudSentinel's data supports each. The
    /// features it has no data for (commitment discounts, SKUs and price lists, capacity reservations,
    /// contract commitments, availability zones, several account types, virtual or second currencies)
    /// are declared unsupported, as the specification provides, so their conditional columns are absent.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, bool> Features = new SortedDictionary<string, bool>(StringComparer.Ordinal)
    {
        ["AVAILABILITY_ZONE_SUPPORTED"] = false,
        ["BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED"] = true,
        ["CAPACITY_RESERVATION_SUPPORTED"] = false,
        ["COMMITMENT_DISCOUNT_SUPPORTED"] = false,
        ["CONTRACT_COMMITMENTS_SUPPORTED"] = false,
        ["DATA_GENERATOR_SPLIT_COST_ALLOCATION_SUPPORTED"] = true,
        ["MULTIPLE_BILLING_ACCOUNT_TYPES_SUPPORTED"] = false,
        ["MULTIPLE_PRICING_CATEGORIES_SUPPORTED"] = false,
        ["MULTIPLE_SUB_ACCOUNT_TYPES_SUPPORTED"] = false,
        ["NEGOTIATED_PRICING_SUPPORTED"] = false,
        ["PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED"] = false,
        ["PUBLIC_PRICE_LIST_SUPPORTED"] = false,
        ["REGION_SUPPORTED"] = true,
        ["RESOURCE_TYPE_ASSIGNMENT_SUPPORTED"] = true,
        ["SUB_ACCOUNT_SUPPORTED"] = true,
        ["TAGGING_SUPPORTED"] = true,
        ["UNIT_PRICING_SUPPORTED"] = false,
        ["USAGE_MEASUREMENT_SUPPORTED"] = true,
        ["VIRTUAL_CURRENCY_SUPPORTED"] = false,
    };

    public static IReadOnlySet<string> SupportedFeatures { get; } = Features.Where(f => f.Value).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Changes whenever a column, its type or its order changes, as the specification asks of a schema id.</summary>
    public static readonly string SchemaId = "cloudsentinel-focus-1.3-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join(';', Focus13Schema.Columns.Select(c => $"{c.Name}:{c.Kind}:{c.Nullable}")))))[..12];

    private static readonly HashSet<string> Deprecated = ["ProviderName", "PublisherName"];

    /// <param name="from">Start of the exported range (inclusive).</param>
    /// <param name="to">End of the exported range (exclusive).</param>
    /// <param name="now">When the export is made: the hours that ended less than <paramref name="completeAfter"/> before it may still change.</param>
    /// <param name="completeAfter">How long after an hour ends its buckets count as final (sources restate and arrive late).</param>
    /// <param name="lastUpdated">The newest <c>updated_at</c> of the exported buckets; null when there are none.</param>
    public static JsonObject Build(string tenant, DateTime from, DateTime to, FocusExportFormat format, DateTime now, TimeSpan completeAfter, DateTime? lastUpdated)
    {
        var instance = $"cloudsentinel:{tenant}:cost-and-usage";
        var sectors = new JsonArray();
        for (var start = from; start < to;)
        {
            var end = Min(start.Date.AddDays(1), to);
            sectors.Add(new JsonObject
            {
                ["TimeSectorStart"] = FocusExportRows.Time(start),
                ["TimeSectorEnd"] = FocusExportRows.Time(end),
                ["TimeSectorComplete"] = end + completeAfter <= now,
            });
            start = end;
        }

        return new JsonObject
        {
            ["DataGenerator"] = new JsonObject { ["DataGenerator"] = DataGenerator },
            ["Schemas"] = new JsonArray(new JsonObject
            {
                ["SchemaId"] = SchemaId,
                ["FocusVersion"] = "1.3",
                ["CreationDate"] = FocusExportRows.Time(now),
                ["DataGeneratorVersion"] = Version(),
                ["ColumnDefinition"] = new JsonArray(Focus13Schema.Columns.Select(Column).ToArray<JsonNode?>()),
            }),
            ["DatasetInstance"] = new JsonArray(new JsonObject
            {
                ["DatasetInstanceId"] = instance,
                ["DatasetInstanceName"] = $"CloudSentinel cost and usage of tenant {tenant}",
                ["FocusDatasetId"] = "CostAndUsage",
            }),
            ["Recency"] = new JsonArray(new JsonObject
            {
                ["DatasetInstanceId"] = instance,
                ["RecencyLastUpdated"] = lastUpdated is { } updated ? FocusExportRows.Time(updated) : null,
                ["DatasetInstanceComplete"] = to + completeAfter <= now,
                ["TimeSectors"] = sectors,
            }),
            ["x_CloudSentinelExport"] = new JsonObject
            {
                ["Tenant"] = tenant,
                ["From"] = FocusExportRows.Time(from),
                ["To"] = FocusExportRows.Time(to),
                ["Format"] = format == FocusExportFormat.Parquet ? "parquet" : "csv",
                ["CompleteAfterHours"] = completeAfter.TotalHours,
                ["TagKeyPrefix"] = FocusExportRows.TagPrefix,
                ["AllocationMethod"] = new JsonObject { ["AllocatedMethodId"] = FocusExportRows.AllocatedMethodId, ["Documentation"] = "docs/allocation.md" },
                ["BillingCurrency"] = new JsonObject
                {
                    ["Currency"] = "USD",
                    ["Why"] = "CloudSentinel keeps one amount per hourly bucket, in USD (cost_usd), which budgets, anomalies and dashboards add up: every source "
                        + "is converted when it is ingested, a FOCUS file in another currency at the tenant's FocusIngest UsdRates. A bucket billed in another "
                        + "currency shows it in x_CloudSentinelBilledCurrency, and the billed amount (cost_usd / rate) in x_CloudSentinelBilledAmount.",
                },
                ["SupportedFeatures"] = new JsonObject(Features.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))),
            },
        };
    }

    public static string Serialize(JsonObject metadata) => metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Column(FocusColumn column)
    {
        var definition = new JsonObject
        {
            ["ColumnName"] = column.Name,
            ["DataType"] = column.Kind switch
            {
                FocusValueKind.Decimal => "DECIMAL",
                FocusValueKind.DateTime => "DATETIME",
                FocusValueKind.JsonObject or FocusValueKind.Json => "JSON",
                _ => "STRING",
            },
        };
        if (column.Kind == FocusValueKind.Decimal)
        {
            // The Parquet type; CSV writes the same values as exact decimal text.
            definition["NumericPrecision"] = 38;
            definition["NumberScale"] = 18;
        }
        else if (column.Kind != FocusValueKind.DateTime)
        {
            definition["StringEncoding"] = "UTF-8";
        }

        if (column.Name is "Tags" or "AllocatedTags") definition["ProviderTagPrefixes"] = new JsonArray(FocusExportRows.TagPrefix);
        if (Deprecated.Contains(column.Name)) definition["Deprecated"] = true;
        return definition;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static string Version() =>
        typeof(FocusExportMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(FocusExportMetadata).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
