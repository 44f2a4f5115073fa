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
        if (!_services.TryGetValue((record.Tenant, record.ServiceName), out var buckets))
        {
            buckets = new Dictionary<BucketKey, BucketAmount>();
            _services.Add((record.Tenant, record.ServiceName), buckets);
        }

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
