using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Tests.Unit;

public sealed class ServiceBucketsTests
{
    private static readonly DateTime Hour = new(2026, 11, 3, 10, 0, 0, DateTimeKind.Utc);

    private static BucketKey Key(string costType = "compute", DateTime? hour = null, string source = "") =>
        new("aws", "123", costType, hour ?? Hour, "", source);

    [Fact]
    public void Restated_record_replaces_old_bucket_value()
    {
        var buckets = new ServiceBuckets();
        buckets.Set(Key(), new BucketAmount(10m, 6m, 4m, 0));

        Assert.True(buckets.Set(Key(), new BucketAmount(12.5m, 7m, 5.5m, 0)));

        Assert.Equal(12.5m, buckets.TotalOf(Hour));
        Assert.Equal(1, buckets.Count);
    }

    [Fact]
    public void Resending_the_same_bucket_changes_nothing()
    {
        var buckets = new ServiceBuckets();
        var update = new BucketUpdate(Key(), new BucketAmount(10m, 0, 0, 0));
        buckets.Apply([update]);

        var changed = buckets.Apply([update]);

        Assert.Empty(changed);
        Assert.Equal(10m, buckets.TotalOf(Hour));
    }

    [Fact]
    public void Buckets_that_differ_in_any_key_part_add_up_within_the_hour()
    {
        var buckets = new ServiceBuckets();
        buckets.Apply([
            new BucketUpdate(Key("compute"), new BucketAmount(10m, 0, 0, 0)),
            new BucketUpdate(Key("storage"), new BucketAmount(2m, 0, 0, 100)),
            new BucketUpdate(Key("compute", source: "focus"), new BucketAmount(-1.5m, 0, 0, 0)),
        ]);

        Assert.Equal(10.5m, buckets.TotalOf(Hour));
        Assert.Equal(3, buckets.Count);
    }

    [Fact]
    public void Pruning_forgets_old_hours_and_their_totals()
    {
        var buckets = new ServiceBuckets();
        buckets.Set(Key(hour: Hour.AddDays(-40)), new BucketAmount(1m, 0, 0, 0));
        buckets.Set(Key(), new BucketAmount(2m, 0, 0, 0));

        Assert.Equal(1, buckets.PruneBefore(Hour.AddDays(-35)));

        Assert.Equal(1, buckets.Count);
        Assert.Equal(0m, buckets.TotalOf(Hour.AddDays(-40)));
    }

    [Fact]
    public void Latest_hour_per_provider_ignores_the_running_hour_and_pruned_hours()
    {
        var buckets = new ServiceBuckets();
        buckets.Set(Key(hour: Hour.AddHours(-3)), new BucketAmount(1m, 0, 0, 0));
        buckets.Set(Key(hour: Hour), new BucketAmount(1m, 0, 0, 0));
        buckets.Set(new BucketKey("gcp", "", "storage", Hour.AddHours(-40), "", ""), new BucketAmount(1m, 0, 0, 0));

        Assert.Equal([("aws", Hour.AddHours(-3)), ("gcp", Hour.AddHours(-40))], buckets.LatestHourByProvider(Hour).OrderBy(p => p.Provider));

        buckets.PruneBefore(Hour.AddHours(-10));

        Assert.Equal([("aws", Hour.AddHours(-3))], buckets.LatestHourByProvider(Hour));
    }
}
