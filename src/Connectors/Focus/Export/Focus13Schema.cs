namespace CloudSentinel.Connectors;

/// <summary>How a FOCUS column's values are written and checked.</summary>
public enum FocusValueKind
{
    String,
    Decimal,
    DateTime,

    /// <summary>ISO 4217 alphabetic code.</summary>
    Currency,

    /// <summary>A serialized JSON object (FOCUS Key-Value Format).</summary>
    JsonObject,

    /// <summary>Serialized JSON (AllocatedMethodDetails, ContractApplied).</summary>
    Json,
}

/// <summary>One column of the export: its FOCUS 1.3 name, type, whether it may be null, and its allowed values (null = any).</summary>
public sealed record FocusColumn(string Name, FocusValueKind Kind, bool Nullable, IReadOnlySet<string>? Allowed = null);

/// <summary>
/// The FOCUS 1.3 Cost and Usage columns CloudSentinel writes, in order, with the column rules of the
/// specification that apply to them (presence, type, nullability, allowed values): every Mandatory
/// column (ProviderName and PublisherName are deprecated in 1.3 but still mandatory) and the
/// Conditional ones whose condition CloudSentinel's data meets (sub accounts, regions, usage
/// measurement, tags, split cost allocation). Conditional columns of features CloudSentinel does not
/// keep (SKUs, commitment discounts, capacity reservations, invoices, unit prices) are left out, and the
/// export's metadata says those features are unsupported (<see cref="FocusExportMetadata"/>).
/// </summary>
public static class Focus13Schema
{
    private static HashSet<string> Values(params string[] values) => new(values, StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> ChargeCategories = Values("Usage", "Purchase", "Tax", "Credit", "Adjustment");

    public static readonly IReadOnlySet<string> ChargeClasses = Values("Correction");

    public static readonly IReadOnlySet<string> ChargeFrequencies = Values("One-Time", "Recurring", "Usage-Based");

    public static readonly IReadOnlySet<string> ServiceCategories = Values(
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools", "Multicloud",
        "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile", "Networking",
        "Security", "Storage", "Web", "Other");

    public static readonly IReadOnlyList<FocusColumn> Columns =
    [
        new("BilledCost", FocusValueKind.Decimal, false),
        new("BillingAccountId", FocusValueKind.String, false),
        new("BillingAccountName", FocusValueKind.String, true),
        new("BillingCurrency", FocusValueKind.Currency, false),
        new("BillingPeriodStart", FocusValueKind.DateTime, false),
        new("BillingPeriodEnd", FocusValueKind.DateTime, false),
        new("ChargeCategory", FocusValueKind.String, false, ChargeCategories),
        new("ChargeClass", FocusValueKind.String, true, ChargeClasses),
        new("ChargeDescription", FocusValueKind.String, true),
        new("ChargeFrequency", FocusValueKind.String, true, ChargeFrequencies),
        new("ChargePeriodStart", FocusValueKind.DateTime, false),
        new("ChargePeriodEnd", FocusValueKind.DateTime, false),
        new("ContractedCost", FocusValueKind.Decimal, false),
        new("EffectiveCost", FocusValueKind.Decimal, false),
        new("HostProviderName", FocusValueKind.String, true),
        new("InvoiceId", FocusValueKind.String, true),
        new("InvoiceIssuerName", FocusValueKind.String, false),
        new("ListCost", FocusValueKind.Decimal, false),
        new("ConsumedQuantity", FocusValueKind.Decimal, true),
        new("ConsumedUnit", FocusValueKind.String, true),
        new("PricingQuantity", FocusValueKind.Decimal, true),
        new("PricingUnit", FocusValueKind.String, true),
        new("ProviderName", FocusValueKind.String, false),
        new("PublisherName", FocusValueKind.String, false),
        new("RegionId", FocusValueKind.String, true),
        new("RegionName", FocusValueKind.String, true),
        new("ResourceId", FocusValueKind.String, true),
        new("ResourceName", FocusValueKind.String, true),
        new("ResourceType", FocusValueKind.String, true),
        new("ServiceCategory", FocusValueKind.String, false, ServiceCategories),
        new("ServiceName", FocusValueKind.String, false),
        new("ServiceProviderName", FocusValueKind.String, false),
        new("SubAccountId", FocusValueKind.String, true),
        new("SubAccountName", FocusValueKind.String, true),
        new("Tags", FocusValueKind.JsonObject, true),
        new("AllocatedMethodId", FocusValueKind.String, true),
        new("AllocatedMethodDetails", FocusValueKind.Json, true),
        new("AllocatedResourceId", FocusValueKind.String, true),
        new("AllocatedResourceName", FocusValueKind.String, true),
        new("AllocatedTags", FocusValueKind.JsonObject, true),
        new("ContractApplied", FocusValueKind.Json, true),
        new("x_CloudSentinelSource", FocusValueKind.String, true),
        new("x_CloudSentinelBreakdown", FocusValueKind.String, true),
        new("x_CloudSentinelBilledCurrency", FocusValueKind.Currency, true),
        new("x_CloudSentinelBilledAmount", FocusValueKind.Decimal, true),
    ];

    /// <summary>Index of each column in <see cref="Columns"/>.</summary>
    public static readonly IReadOnlyDictionary<string, int> Index =
        Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

    /// <summary>The split cost allocation columns, AllocatedMethodId first: the others are set only on an allocated charge.</summary>
    public static readonly IReadOnlyList<string> AllocationColumns =
        ["AllocatedMethodId", "AllocatedMethodDetails", "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags"];
}
