namespace CloudSentinel.Connectors;

/// <summary>
/// The FOCUS columns the mapping reads. Their names are the same in FOCUS 1.0, 1.1 and 1.2; the
/// columns those versions add (ServiceSubcategory, InvoiceId, pricing currency columns, ...) are
/// not needed and simply ignored, as are provider "x_" columns.
/// </summary>
internal static class FocusColumns
{
    public const string ChargePeriodStart = "ChargePeriodStart";
    public const string ChargePeriodEnd = "ChargePeriodEnd";
    public const string BillingCurrency = "BillingCurrency";
    public const string BillingAccountId = "BillingAccountId";
    public const string SubAccountId = "SubAccountId";
    public const string ProviderName = "ProviderName";
    public const string ServiceCategory = "ServiceCategory";
    public const string ServiceName = "ServiceName";
    public const string ChargeCategory = "ChargeCategory";
    public const string RegionId = "RegionId";
    public const string ResourceId = "ResourceId";
    public const string Tags = "Tags";

    /// <summary>
    /// Mandatory in every FOCUS version and needed for a correct record; a file without one of them
    /// fails at its header. FOCUS-mandatory columns the mapping does not read are not demanded, so
    /// that trimmed exports still load.
    /// </summary>
    public static readonly string[] Required =
        [ChargePeriodStart, ChargePeriodEnd, BillingCurrency, BillingAccountId, ProviderName, ServiceCategory, ChargeCategory];

    public static readonly IReadOnlySet<string> ChargeCategories =
        new HashSet<string>(["Usage", "Purchase", "Tax", "Credit", "Adjustment"], StringComparer.OrdinalIgnoreCase);
}
