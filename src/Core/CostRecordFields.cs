namespace CloudSentinel.Core;

/// <summary>The fields of one cost record as they were sent, before validation.</summary>
public sealed class CostRecordFields : RecordFields
{
    public string? Tenant { get; set; }
    public string? ServiceName { get; set; }
    public string? Provider { get; set; }
    public string? CostType { get; set; }
    public DateTime? PeriodStart { get; set; }
    public DateTime? PeriodEnd { get; set; }
    public decimal? CostUsd { get; set; }
    public string? AccountId { get; set; }
    public string? SubAccountId { get; set; }
    public string? SubAccountName { get; set; }
    public string? ProviderService { get; set; }
    public string? ServiceCategory { get; set; }
    public string? Region { get; set; }
    public string? ResourceId { get; set; }
    public string? Source { get; set; }
    public decimal? CpuCostUsd { get; set; }
    public decimal? MemoryCostUsd { get; set; }
    public string? StorageType { get; set; }
    public decimal? StorageGb { get; set; }
    public string? Direction { get; set; }
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The fields of a record read from a file or an API, so that it meets the same rules as one sent over HTTP.</summary>
    public static CostRecordFields From(CostRecord r, long index) => new()
    {
        Index = index,
        Tenant = r.Tenant,
        ServiceName = r.ServiceName,
        Provider = r.Provider,
        CostType = r.CostType,
        PeriodStart = r.PeriodStart,
        PeriodEnd = r.PeriodEnd,
        CostUsd = r.CostUsd,
        AccountId = r.AccountId,
        SubAccountId = r.SubAccountId,
        SubAccountName = r.SubAccountName,
        ProviderService = r.ProviderService,
        ServiceCategory = r.ServiceCategory,
        Region = r.Region,
        ResourceId = r.ResourceId,
        Source = r.Source,
        CpuCostUsd = r.CpuCostUsd,
        MemoryCostUsd = r.MemoryCostUsd,
        StorageType = r.StorageType,
        StorageGb = r.StorageGb,
        Direction = r.Direction,
        Tags = r.Tags is null ? null : new Dictionary<string, string>(r.Tags),
    };
}
