using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// One cost record as the fast reader holds it while checking and folding it: a struct that a
/// request reuses for every record, its names already canonical and interned for the request, and
/// no field that is only checked (resource id, tags…) kept at all. Only a record the fast
/// reader found to be valid is folded from it; anything else is read again as
/// <see cref="CostRecordFields"/> so that its errors are exactly the validator's.
/// </summary>
public struct CostLineItem
{
    public long Index;
    public string? Tenant;

    /// <summary>Trimmed, or <c>untagged</c> when none was sent.</summary>
    public string? ServiceName;

    /// <summary>Lower case, one of the vocabulary's.</summary>
    public string? Provider;

    /// <summary>Lower case, one of the vocabulary's.</summary>
    public string? CostType;

    /// <summary>Trimmed; "" when none was sent (as are <see cref="Source"/>'s).</summary>
    public string? AccountId;
    public string? Source;
    public string? StorageType;
    public string? Direction;

    /// <summary>Verbatim (as the validator keeps them) and interned, or null: descriptions of the bucket for the FOCUS export (service_cost_details).</summary>
    public string? ProviderService;
    public string? Region;
    public string? SubAccountName;
    public DateTime? PeriodStart;
    public DateTime? PeriodEnd;
    public decimal? CostUsd;
    public decimal? CpuCostUsd;
    public decimal? MemoryCostUsd;
    public decimal? StorageGb;

    /// <summary>The breakdown of the record's bucket: storage type, direction or "".</summary>
    public readonly string Breakdown => CostType switch
    {
        "storage" => StorageType ?? "",
        "network" => Direction ?? "",
        _ => "",
    };

    /// <summary>Clears every field for the next record, keeping nothing of the last one.</summary>
    public void Reset(long index) => this = new CostLineItem
    {
        Index = index,
        ServiceName = CostVocabulary.UntaggedService,
        AccountId = "",
        Source = "",
    };
}
