namespace CloudSentinel.Connectors;

/// <summary>
/// The FOCUS columns the mapping reads. Names are the same in FOCUS 1.0, 1.1 and 1.2; FOCUS 1.3
/// replaces ProviderName and PublisherName by ServiceProviderName and HostProviderName and adds the
/// split cost allocation columns (Allocated*) and ContractApplied. Columns the mapping does not need
/// (ServiceSubcategory, InvoiceId, pricing currency columns, ...) are ignored, as are provider "x_" columns.
/// </summary>
internal static class FocusColumns
{
    public const string ChargePeriodStart = "ChargePeriodStart";
    public const string ChargePeriodEnd = "ChargePeriodEnd";
    public const string BillingCurrency = "BillingCurrency";
    public const string BillingAccountId = "BillingAccountId";
    public const string SubAccountId = "SubAccountId";
    public const string SubAccountName = "SubAccountName";
    public const string ProviderName = "ProviderName";
    public const string ServiceProviderName = "ServiceProviderName";
    public const string HostProviderName = "HostProviderName";
    public const string ServiceCategory = "ServiceCategory";
    public const string ServiceName = "ServiceName";
    public const string ChargeCategory = "ChargeCategory";
    public const string RegionId = "RegionId";
    public const string ResourceId = "ResourceId";
    public const string Tags = "Tags";
    public const string AllocatedMethodId = "AllocatedMethodId";
    public const string AllocatedMethodDetails = "AllocatedMethodDetails";
    public const string AllocatedResourceId = "AllocatedResourceId";
    public const string AllocatedResourceName = "AllocatedResourceName";
    public const string AllocatedTags = "AllocatedTags";
    public const string ContractApplied = "ContractApplied";

    /// <summary>CloudSentinel's own export column: the storage type or network direction of the bucket.</summary>
    public const string CloudSentinelBreakdown = "x_CloudSentinelBreakdown";

    /// <summary>
    /// Mandatory in FOCUS 1.0–1.2 and needed for a correct record; a file without one of them fails at
    /// its header. FOCUS-mandatory columns the mapping does not read are not demanded, so that trimmed
    /// exports still load.
    /// </summary>
    public static readonly string[] RequiredUpTo12 =
        [ChargePeriodStart, ChargePeriodEnd, BillingCurrency, BillingAccountId, ProviderName, ServiceCategory, ChargeCategory];

    /// <summary>The same for FOCUS 1.3, whose provider column is ServiceProviderName.</summary>
    public static readonly string[] Required13 =
        [ChargePeriodStart, ChargePeriodEnd, BillingCurrency, BillingAccountId, ServiceProviderName, ServiceCategory, ChargeCategory];

    public static readonly IReadOnlySet<string> ChargeCategories =
        new HashSet<string>(["Usage", "Purchase", "Tax", "Credit", "Adjustment"], StringComparer.OrdinalIgnoreCase);
}
