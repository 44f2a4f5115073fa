namespace CloudSentinel.Core;

/// <summary>
/// One normalized cost line, aligned with FOCUS: what every source (HTTP ingest, FOCUS files,
/// cloud API pollers, the synthetic feed) produces before records become hourly buckets.
/// Values are canonical: lower-case provider and cost type, UTC timestamps, end exclusive.
/// </summary>
public sealed record CostRecord
{
    public required string Tenant { get; init; }
    public string ServiceName { get; init; } = CostVocabulary.UntaggedService;
    public required string Provider { get; init; }
    public required string CostType { get; init; }
    public required DateTime PeriodStart { get; init; }
    public required DateTime PeriodEnd { get; init; }
    public required decimal CostUsd { get; init; }
    public string AccountId { get; init; } = "";
    public string? SubAccountId { get; init; }

    /// <summary>The sub account's display name (FOCUS SubAccountName), when the source gave one.</summary>
    public string? SubAccountName { get; init; }

    /// <summary>The currency the source billed in when it was not USD, and the rate (USD per unit) <see cref="CostUsd"/> was converted at.</summary>
    public string? BillingCurrency { get; init; }

    public decimal? UsdRate { get; init; }
    public string? ProviderService { get; init; }
    public string? ServiceCategory { get; init; }
    public string? Region { get; init; }
    public string? ResourceId { get; init; }
    public string Source { get; init; } = "";
    public decimal? CpuCostUsd { get; init; }
    public decimal? MemoryCostUsd { get; init; }
    public string? StorageType { get; init; }
    public decimal? StorageGb { get; init; }
    public string? Direction { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>FOCUS 1.3 ContractApplied (JSON, as the file had it) when every line of the record agrees; a detail, not part of any bucket.</summary>
    public string? ContractApplied { get; init; }
}
