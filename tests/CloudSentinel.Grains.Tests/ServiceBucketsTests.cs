using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Tests;

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

    [Fact]
    public void Hours_arriving_in_any_order_keep_their_amounts_totals_and_order()
    {
        // The columns grow forwards and backwards (backfills walk back in time); nothing may shift.
        var buckets = new ServiceBuckets();
        var hours = new[] { 0, 200, -300, 5, -1, 1000, -2000, 1 };
        foreach (var offset in hours)
        {
            buckets.Set(Key(hour: Hour.AddHours(offset)), new BucketAmount(offset + 0.5m, 0, 0, 0), offset + 3000);
        }

        Assert.Equal(hours.Length, buckets.Count);
        Assert.Equal(hours.Order().Select(o => (Hour.AddHours(o), o + 0.5m)), buckets.HourTotals());
        Assert.Equal(Hour.AddHours(-2000), buckets.FirstHour);
        foreach (var offset in hours) Assert.Equal(offset + 0.5m, buckets.TotalOf(Hour.AddHours(offset)));
        Assert.Equal(0m, buckets.TotalOf(Hour.AddHours(2)));
        Assert.Equal(BucketChange.Stale, buckets.Set(Key(hour: Hour.AddHours(-300)), new BucketAmount(9m, 0, 0, 0), 0));
    }

    [Fact]
    public void A_second_series_keeps_hour_totals_of_both_and_survives_pruning_back_to_one()
    {
        var buckets = new ServiceBuckets();
        buckets.Set(Key("compute", Hour.AddHours(-50)), new BucketAmount(1m, 0.6m, 0.4m, 0));
        buckets.Set(Key("compute", Hour), new BucketAmount(2m, 0, 0, 0));
        buckets.Set(Key("storage", Hour), new BucketAmount(3m, 0, 0, 120));
        buckets.Set(Key("storage", Hour.AddHours(-60)), new BucketAmount(4m, 0, 0, 80));

        Assert.Equal(5m, buckets.TotalOf(Hour));
        Assert.Equal([(Hour.AddHours(-60), 4m), (Hour.AddHours(-50), 1m), (Hour, 5m)], buckets.HourTotals());
        Assert.Equal(
            [(Key("compute", Hour.AddHours(-50)), new BucketAmount(1m, 0.6m, 0.4m, 0))],
            buckets.BucketsAt(Hour.AddHours(-50)));
        Assert.Equal(new BucketAmount(3m, 0, 0, 120), buckets.BucketsAt(Hour).Single(b => b.Key.CostType == "storage").Amount);

        // A restatement moves the hour total by the difference only.
        buckets.Set(Key("compute", Hour), new BucketAmount(2.25m, 0, 0, 0));
        Assert.Equal(5.25m, buckets.TotalOf(Hour));

        Assert.Equal(2, buckets.PruneBefore(Hour.AddHours(-1)));
        Assert.Equal(2, buckets.Count);
        Assert.Equal([(Hour, 5.25m)], buckets.HourTotals());

        Assert.Equal(2, buckets.PruneBefore(Hour.AddHours(1)));
        Assert.Equal(0, buckets.Count);
        Assert.Empty(buckets.HourTotals());
        Assert.Null(buckets.FirstHour);
        buckets.Set(Key("network", Hour.AddHours(3)), new BucketAmount(7m, 0, 0, 0));
        Assert.Equal([(Hour.AddHours(3), 7m)], buckets.HourTotals());
    }

    [Fact]
    public void Sequences_far_apart_are_kept_exactly()
    {
        // Offsets from the first sequence are 32-bit until one does not fit; then the series widens.
        var buckets = new ServiceBuckets();
        buckets.Set(Key(hour: Hour), new BucketAmount(1m, 0, 0, 0), 5);
        buckets.Set(Key(hour: Hour.AddHours(1)), new BucketAmount(2m, 0, 0, 0), 5L + int.MaxValue + 10);
        buckets.Set(Key(hour: Hour.AddHours(-100)), new BucketAmount(3m, 0, 0, 0), 0);

        Assert.Equal(BucketChange.Stale, buckets.Set(Key(hour: Hour), new BucketAmount(9m, 0, 0, 0), 4));
        Assert.Equal(BucketChange.Changed, buckets.Set(Key(hour: Hour), new BucketAmount(9m, 0, 0, 0), 6));
        Assert.Equal(BucketChange.Stale, buckets.Set(Key(hour: Hour.AddHours(1)), new BucketAmount(9m, 0, 0, 0), 5L + int.MaxValue + 9));
        Assert.Equal(BucketChange.Unchanged, buckets.Set(Key(hour: Hour.AddHours(1)), new BucketAmount(2m, 0, 0, 0), 5L + int.MaxValue + 10));

        Assert.Equal(1, buckets.PruneBefore(Hour.AddHours(-1)));
        Assert.Equal(BucketChange.Stale, buckets.Set(Key(hour: Hour), new BucketAmount(1m, 0, 0, 0), 5));
        Assert.Equal([(Hour, 9m), (Hour.AddHours(1), 2m)], buckets.HourTotals());
    }

    [Fact]
    public void Many_series_keep_replacing_their_own_buckets_once_they_are_looked_up_by_key()
    {
        // The overflow service's shape: a series per folded service, well past the index threshold.
        var buckets = new ServiceBuckets();
        const int sources = ServiceBuckets.IndexedFrom * 40;
        for (var s = 0; s < sources; s++)
        {
            buckets.Set(Key(source: $"overflow:svc-{s}"), new BucketAmount(1m, 0, 0, 0));
            buckets.Set(Key(source: $"overflow:svc-{s}", hour: Hour.AddHours(1)), new BucketAmount(2m, 0, 0, 0));
        }

        // Restating every other source replaces its bucket, and a repeat changes nothing.
        for (var s = 0; s < sources; s += 2) Assert.True(buckets.Set(Key(source: $"overflow:svc-{s}"), new BucketAmount(3m, 0, 0, 0)));
        Assert.False(buckets.Set(Key(source: "overflow:svc-0"), new BucketAmount(3m, 0, 0, 0)));

        Assert.Equal(2 * sources, buckets.Count);
        Assert.Equal(sources / 2 * 3m + sources / 2 * 1m, buckets.TotalOf(Hour));
        Assert.Equal(sources * 2m, buckets.TotalOf(Hour.AddHours(1)));
        Assert.Equal(sources, buckets.BucketsAt(Hour).Count());
    }

    [Fact]
    public void Series_found_by_key_stay_right_as_pruning_drops_below_the_threshold_and_new_ones_pass_it_again()
    {
        var buckets = new ServiceBuckets();
        var old = Hour.AddDays(-40);
        for (var s = 0; s < ServiceBuckets.IndexedFrom + 4; s++) buckets.Set(Key(source: $"old-{s}", hour: old), new BucketAmount(1m, 0, 0, 0));
        buckets.Set(Key(source: "kept"), new BucketAmount(5m, 0, 0, 0));

        Assert.Equal(ServiceBuckets.IndexedFrom + 4, buckets.PruneBefore(Hour.AddDays(-35)));

        // One series is left: its bucket is still found and replaced, not duplicated.
        Assert.True(buckets.Set(Key(source: "kept"), new BucketAmount(6m, 0, 0, 0)));
        Assert.Equal(1, buckets.Count);
        for (var s = 0; s < ServiceBuckets.IndexedFrom * 2; s++) buckets.Set(Key(source: $"new-{s}"), new BucketAmount(1m, 0, 0, 0));
        Assert.True(buckets.Set(Key(source: "kept"), new BucketAmount(7m, 0, 0, 0)));
        Assert.True(buckets.Set(Key(source: "new-3"), new BucketAmount(2m, 0, 0, 0)));

        Assert.Equal(1 + ServiceBuckets.IndexedFrom * 2, buckets.Count);
        Assert.Equal(7m + ServiceBuckets.IndexedFrom * 2 + 1m, buckets.TotalOf(Hour));
    }
}
