
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Sums line items into one <see cref="CostRecord"/> per bucket key. Downstream, a later record with
/// the same key replaces the earlier one, so a source must hand on whole-window sums, never single lines.
/// Descriptive fields and tags survive only where every line of the key agrees, so a record never
/// claims a region, resource or tag that only part of its money had.
/// </summary>
internal sealed class CostLineAggregator(string tenant, string source)
{
    private readonly Dictionary<CostLineKey, Sum> _sums = new();

    public void Add(CostLineKey key, decimal costUsd, CostLineDetails details)
    {
        if (_sums.TryGetValue(key, out var sum)) sum.Add(costUsd, details);
        else _sums.Add(key, new Sum(costUsd, details));
    }

    /// <summary>
    /// Takes back lines added earlier (an origin charge whose split parts turned up later in the file).
    /// Details already merged stay merged: they only ever lose values, never claim wrong ones.
    /// </summary>
    public void Remove(CostLineKey key, decimal costUsd, int lines)
    {
        if (!_sums.TryGetValue(key, out var sum)) return;
        sum.Remove(costUsd, lines);
        if (sum.Lines <= 0) _sums.Remove(key);
    }

    /// <summary>The records in a stable order (period, then key fields), so equal input gives equal output.</summary>
    public IReadOnlyList<CostRecord> ToRecords() =>
        _sums.OrderBy(p => p.Key.PeriodStart).ThenBy(p => p.Key.PeriodEnd)
            .ThenBy(p => p.Key.ServiceName, StringComparer.Ordinal).ThenBy(p => p.Key.Provider, StringComparer.Ordinal)
            .ThenBy(p => p.Key.AccountId, StringComparer.Ordinal).ThenBy(p => p.Key.CostType, StringComparer.Ordinal)
            .ThenBy(p => p.Key.StorageType, StringComparer.Ordinal).ThenBy(p => p.Key.Direction, StringComparer.Ordinal)
            .Select(p => ToRecord(p.Key, p.Value))
            .ToList();

    private CostRecord ToRecord(CostLineKey key, Sum sum) => new()
    {
        Tenant = tenant,
        ServiceName = key.ServiceName,
        Provider = key.Provider,
        CostType = key.CostType,
        PeriodStart = key.PeriodStart,
        PeriodEnd = key.PeriodEnd,
        CostUsd = sum.CostUsd,
        AccountId = key.AccountId,
        SubAccountId = sum.Details.SubAccountId,
        SubAccountName = sum.Details.SubAccountName,
        BillingCurrency = sum.Details.BillingCurrency,
        UsdRate = sum.Details.UsdRate,
        ProviderService = sum.Details.ProviderService,
        ServiceCategory = sum.Details.ServiceCategory,
        Region = sum.Details.Region,
        ResourceId = sum.Details.ResourceId,
        Source = source,
        StorageType = key.StorageType,
        Direction = key.Direction,
        Tags = sum.Tags is { Count: > 0 } tags ? tags : null,
        ContractApplied = sum.Details.ContractApplied,
    };

    private sealed class Sum(decimal costUsd, CostLineDetails details)
    {
        public decimal CostUsd { get; private set; } = costUsd;

        public CostLineDetails Details { get; private set; } = details;

        public int Lines { get; private set; } = 1;

        public Dictionary<string, string>? Tags { get; } = details.Tags is null ? null : new Dictionary<string, string>(details.Tags);

        public void Add(decimal costUsd, CostLineDetails other)
        {
            CostUsd += costUsd;
            Lines++;
            Details = new CostLineDetails(
                Common(Details.SubAccountId, other.SubAccountId),
                Common(Details.ProviderService, other.ProviderService),
                Common(Details.ServiceCategory, other.ServiceCategory),
                Common(Details.Region, other.Region),
                Common(Details.ResourceId, other.ResourceId),
                ContractApplied: Common(Details.ContractApplied, other.ContractApplied),
                SubAccountName: Common(Details.SubAccountName, other.SubAccountName),
                // Currency and rate go together: a record keeps them only when every line was billed in the same currency at the same rate.
                BillingCurrency: Details.BillingCurrency == other.BillingCurrency && Details.UsdRate == other.UsdRate ? Details.BillingCurrency : null,
                UsdRate: Details.BillingCurrency == other.BillingCurrency && Details.UsdRate == other.UsdRate ? Details.UsdRate : null);
            if (Tags is null) return;
            foreach (var (name, value) in Tags)
            {
                if (other.Tags is null || !other.Tags.TryGetValue(name, out var v) || v != value) Tags.Remove(name);
            }
        }

        public void Remove(decimal costUsd, int lines)
        {
            CostUsd -= costUsd;
            Lines -= lines;
        }

        private static string? Common(string? a, string? b) => a == b ? a : null;
    }
}
