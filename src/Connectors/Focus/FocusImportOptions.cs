namespace CloudSentinel.Connectors;

/// <summary>Which FOCUS cost column becomes <c>cost_usd</c>.</summary>
public enum FocusCostColumn
{
    /// <summary>Amortized cost after all discounts: what the usage really cost (the default).</summary>
    EffectiveCost,

    /// <summary>What was invoiced; purchases count when paid rather than spread over the term.</summary>
    BilledCost,
}

/// <summary>A provider name containing <paramref name="Keyword"/> (ignoring case) maps to <paramref name="Provider"/>.</summary>
public sealed record ProviderRule(string Keyword, string Provider);

/// <summary>How a tenant's FOCUS files map to cost records. Every property has a default that suits standard exports.</summary>
public sealed record FocusImportOptions
{
    /// <summary>
    /// Tag keys that name the application service, first present wins; keys match trimmed and ignoring case.
    /// CloudSentinel's own export writes the prefixed key (<see cref="FocusExportRows.ServiceTagKey"/>), read first so that a round trip keeps the service.
    /// </summary>
    public IReadOnlyList<string> ServiceTagKeys { get; init; } = [FocusExportRows.ServiceTagKey, "application", "app", "service"];

    public FocusCostColumn CostColumn { get; init; } = FocusCostColumn.EffectiveCost;

    /// <summary>USD per unit of each other billing currency (e.g. EUR → 1.08). Rows in a currency not listed are rejected.</summary>
    public IReadOnlyDictionary<string, decimal> UsdRates { get; init; } = new Dictionary<string, decimal>();

    /// <summary>FOCUS ServiceCategory (ignoring case) to cost type; any other category is "other".</summary>
    public IReadOnlyDictionary<string, string> CostTypeByServiceCategory { get; init; } = new Dictionary<string, string>
    {
        ["Compute"] = "compute",
        ["Storage"] = "storage",
        ["Networking"] = "network",
        ["Databases"] = "database",
    };

    /// <summary>ProviderName keywords in order; a name matching none is "other".</summary>
    public IReadOnlyList<ProviderRule> ProviderRules { get; init; } =
    [
        new("Amazon", "aws"), new("AWS", "aws"),
        new("Microsoft", "azure"), new("Azure", "azure"),
        new("Google", "gcp"), new("GCP", "gcp"),
        new("Oracle", "oci"), new("OCI", "oci"),
    ];

    /// <summary>The <c>source</c> of every record, which keeps file buckets apart from API buckets of the same hour.</summary>
    public string Source { get; init; } = "focus";

    /// <summary>How many rejected rows are listed (all of them are counted).</summary>
    public int MaxReportedErrors { get; init; } = 1000;

    public void Validate()
    {
        if (ServiceTagKeys.Count == 0) throw new ArgumentException("Focus.ServiceTagKeys must name at least one tag key");
        if (string.IsNullOrWhiteSpace(Source) || Source.Length > 64) throw new ArgumentException("Focus.Source must be 1 to 64 characters");
        if (MaxReportedErrors < 0) throw new ArgumentException("Focus.MaxReportedErrors must not be negative");
        foreach (var (currency, rate) in UsdRates)
        {
            if (rate <= 0) throw new ArgumentException($"Focus.UsdRates: the rate of {currency} must be positive");
        }
    }
}
