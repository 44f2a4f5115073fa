using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

public sealed class BucketAggregatorTests
{
    private static readonly DateTime Hour = new(2026, 11, 3, 10, 0, 0, DateTimeKind.Utc);

    private static CostRecord Record(decimal cost, string costType = "compute", string service = "api", DateTime? start = null, DateTime? end = null) => new()
    {
        Tenant = "acme",
        ServiceName = service,
        Provider = "azure",
        CostType = costType,
        PeriodStart = start ?? Hour,
        PeriodEnd = end ?? (start ?? Hour).AddHours(1),
        CostUsd = cost,
    };

    [Fact]
    public void Records_with_the_same_bucket_key_in_one_request_add_up()
    {
        var aggregator = new BucketAggregator();
        aggregator.Add(Record(1.5m));
        aggregator.Add(Record(2.25m));
        aggregator.Add(Record(4m, costType: "storage") with { StorageType = "ssd", StorageGb = 100 });
        aggregator.Add(Record(9m, service: "web"));

        var batches = aggregator.Batches().OrderBy(b => b.ServiceName).ToList();

        Assert.Equal(["api", "web"], batches.Select(b => b.ServiceName));
        var api = batches[0].Updates.ToDictionary(u => (u.Key.CostType, u.Key.Breakdown), u => u.Amount);
        Assert.Equal(3.75m, api[("compute", "")].CostUsd);
        Assert.Equal(new BucketAmount(4m, 0, 0, 100), api[("storage", "ssd")]);
        Assert.Equal(3, aggregator.BucketCount);
    }

    [Fact]
    public void A_daily_record_becomes_24_hourly_buckets()
    {
        var aggregator = new BucketAggregator();
        aggregator.Add(Record(48m, start: Hour.Date.AddHours(0), end: Hour.Date.AddDays(1)) with { CpuCostUsd = 24m, MemoryCostUsd = 24m });

        var updates = aggregator.Batches().Single().Updates;

        Assert.Equal(24, updates.Length);
        Assert.All(updates, u => Assert.Equal(new BucketAmount(2m, 1m, 1m, 0), u.Amount));
    }
}
