using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The descriptive values of a request's hourly buckets: the provider's service name, the region and the
/// sub account's name, kept for a bucket when every record of it agrees (as the connectors keep them
/// per summed record), so that the FOCUS export can say ServiceName "Amazon EC2" rather than "Compute".
/// Only records that describe something are followed, so a request that describes nothing costs nothing here.
/// </summary>
public sealed class BucketDetails
{
    private readonly Dictionary<(string Tenant, string Service, BucketKey Key), BucketDetail> _details = new();

    public void Add(CostRecord record)
    {
        if (record.ProviderService is null && record.Region is null && record.SubAccountName is null && record.BillingCurrency is null) return;
        var breakdown = BucketAggregator.Breakdown(record);
        HourlySpread.Spread(record.PeriodStart, record.PeriodEnd, (hour, _) =>
        {
            var key = new BucketKey(record.Provider, record.AccountId, record.CostType, hour, breakdown, record.Source);
            Merge(new BucketDetail(record.Tenant, record.ServiceName, key, record.ProviderService, record.Region, record.SubAccountName,
                record.BillingCurrency, record.BillingCurrency is null ? null : record.UsdRate));
        });
    }

    /// <summary>A record the fast reader found valid (<see cref="CostLineItemReader"/>): it keeps the provider service, the region and the sub account name.</summary>
    public void Add(in CostLineItem item)
    {
        if (item.ProviderService is null && item.Region is null && item.SubAccountName is null) return;
        var start = item.PeriodStart!.Value;
        foreach (var (hour, _) in HourlySpread.Pieces(start, item.PeriodEnd ?? HourlySpread.OneHourAfter(start)))
        {
            var key = new BucketKey(item.Provider!, item.AccountId!, item.CostType!, hour, item.Breakdown, item.Source!);
            // Line items of one bucket mostly repeat its description, and a value the bucket's lines disagreed on stays
            // unknown: nothing is made for a line item that changes nothing.
            if (_details.TryGetValue((item.Tenant!, item.ServiceName!, key), out var known) && known.BillingCurrency is null
                && (known.ProviderService is null || known.ProviderService == item.ProviderService)
                && (known.Region is null || known.Region == item.Region)
                && (known.SubAccountName is null || known.SubAccountName == item.SubAccountName))
            {
                continue;
            }

            Merge(new BucketDetail(item.Tenant!, item.ServiceName!, key, item.ProviderService, item.Region, item.SubAccountName));
        }
    }

    private void Merge(BucketDetail detail)
    {
        var at = (detail.Tenant, detail.Service, detail.Key);
        _details[at] = _details.TryGetValue(at, out var known)
            ? known with
            {
                ProviderService = Agreed(known.ProviderService, detail.ProviderService),
                Region = Agreed(known.Region, detail.Region),
                SubAccountName = Agreed(known.SubAccountName, detail.SubAccountName),
                BillingCurrency = SameRate(known, detail) ? known.BillingCurrency : null,
                UsdRate = SameRate(known, detail) ? known.UsdRate : null,
            }
            : detail;
    }

    public IReadOnlyCollection<BucketDetail> Described =>
        _details.Values.Where(d => d.ProviderService is not null || d.Region is not null || d.SubAccountName is not null || d.BillingCurrency is not null).ToList();

    private static bool SameRate(BucketDetail a, BucketDetail b) => a.BillingCurrency == b.BillingCurrency && a.UsdRate == b.UsdRate;

    private static string? Agreed(string? a, string? b) => a == b ? a : null;
}
