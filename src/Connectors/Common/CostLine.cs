namespace CloudSentinel.Connectors;

/// <summary>
/// The bucket key of a line item within one tenant and source: lines with equal keys are summed
/// into one record, so that a re-read window yields the same absolute amount per key.
/// </summary>
internal readonly record struct CostLineKey(
    string ServiceName,
    string Provider,
    string AccountId,
    string CostType,
    DateTime PeriodStart,
    DateTime PeriodEnd,
    string? StorageType = null,
    string? Direction = null);

/// <summary>Descriptive fields of a line item; a record keeps those that all of its lines agree on.</summary>
internal readonly record struct CostLineDetails(
    string? SubAccountId = null,
    string? ProviderService = null,
    string? ServiceCategory = null,
    string? Region = null,
    string? ResourceId = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? ContractApplied = null,
    string? SubAccountName = null,
    string? BillingCurrency = null,
    decimal? UsdRate = null);
