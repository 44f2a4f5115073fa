using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Collects the records of one request into absolute hourly buckets per (tenant, service). Records
/// with the same bucket key inside one request add up; the sum is the bucket's new absolute value,
/// which replaces whatever an earlier request said for that key.
/// </summary>
public sealed class BucketAggregator
{
    private readonly Dictionary<(string Tenant, string Service), Dictionary<BucketKey, BucketAmount>> _services = new();

    public int RecordCount { get; private set; }

    public void Add(CostRecord record)
    {
        RecordCount++;
        var buckets = For(record.Tenant, record.ServiceName);

        var breakdown = Breakdown(record);
        var cost = record.CostUsd;
        var cpu = record.CpuCostUsd ?? 0m;
        var memory = record.MemoryCostUsd ?? 0m;
        var storageGb = record.StorageGb ?? 0m;
        HourlySpread.Spread(record.PeriodStart, record.PeriodEnd, (hour, fraction) =>
        {
            var key = new BucketKey(record.Provider, record.AccountId, record.CostType, hour, breakdown, record.Source);
            // GB is a level, not an amount: every hour of the period held the same volume.
            var amount = new BucketAmount(fraction.Of(cost), fraction.Of(cpu), fraction.Of(memory), storageGb);
            buckets[key] = buckets.TryGetValue(key, out var existing) ? existing + amount : amount;
        });
    }

    /// <summary>Folds a record the fast reader found valid (<see cref="CostLineItemReader"/>), exactly as <see cref="Add(CostRecord)"/> folds the same record.</summary>
    public void Add(in CostLineItem item)
    {
        RecordCount++;
        var buckets = For(item.Tenant!, item.ServiceName!);
        var (provider, account, costType, source, breakdown) = (item.Provider!, item.AccountId!, item.CostType!, item.Source!, item.Breakdown);
        var cost = item.CostUsd!.Value;
        var (cpu, memory, storageGb) = (item.CpuCostUsd ?? 0m, item.MemoryCostUsd ?? 0m, item.StorageGb ?? 0m);
        var start = item.PeriodStart!.Value;
        foreach (var (hour, fraction) in HourlySpread.Pieces(start, item.PeriodEnd ?? HourlySpread.OneHourAfter(start)))
        {
            var key = new BucketKey(provider, account, costType, hour, breakdown, source);
            var amount = new BucketAmount(fraction.Of(cost), fraction.Of(cpu), fraction.Of(memory), storageGb);
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(buckets, key, out var existed);
            slot = existed ? slot + amount : amount;
        }
    }

    private Dictionary<BucketKey, BucketAmount> For(string tenant, string service)
    {
        ref var buckets = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_services, (tenant, service), out _);
        return buckets ??= new Dictionary<BucketKey, BucketAmount>();
    }
    /// <summary>The bucket key's breakdown: the storage type of a storage record, the direction of a network one.</summary>
    public static string Breakdown(CostRecord record) => record.CostType switch
    {
        "storage" => record.StorageType ?? "",
        "network" => record.Direction ?? "",
        _ => "",
    };

    public int ServiceCount => _services.Count;

    public int BucketCount => _services.Values.Sum(b => b.Count);

    public IEnumerable<CostBatch> Batches() =>
        _services.Select(pair => new CostBatch(
            pair.Key.Tenant,
            pair.Key.Service,
            pair.Value.Select(b => new BucketUpdate(b.Key, b.Value)).ToArray()));
}
