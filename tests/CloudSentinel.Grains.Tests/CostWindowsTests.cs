using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Tests;

public sealed class CostWindowsTests
{
    private static ServiceBuckets Hourly(DateTime from, int hours, Func<int, decimal> cost)
    {
        var buckets = new ServiceBuckets();
        for (var i = 0; i < hours; i++)
        {
            buckets.Set(new BucketKey("gcp", "", "compute", from.AddHours(i), "", ""), new BucketAmount(cost(i), 0, 0, 0));
        }

        return buckets;
    }

    [Fact]
    public void Windows_split_at_the_running_hour_and_the_first_of_the_month()
    {
        // 1 USD every hour from Oct 30 00:00 to Nov 2 03:00 (the running hour); now is Nov 2 03:20.
        var from = new DateTime(2026, 10, 30, 0, 0, 0, DateTimeKind.Utc);
        var now = new DateTime(2026, 11, 2, 3, 20, 0, DateTimeKind.Utc);
        var buckets = Hourly(from, 76, _ => 1m);

        var w = CostWindows.Compute(buckets, now);

        Assert.Equal(new DateTime(2026, 11, 2, 3, 0, 0, DateTimeKind.Utc), w.CurrentHour);
        Assert.Equal(new DateTime(2026, 11, 2, 2, 0, 0, DateTimeKind.Utc), w.LatestHour);
        Assert.Equal(1m, w.LatestHourUsd);
        Assert.Equal(1m, w.RunningHourUsd);
        Assert.Equal(24m, w.Last24HoursUsd);
        Assert.Equal(75m, w.Last7DaysUsd);   // every ended hour since Oct 30
        Assert.Equal(75m, w.Last30DaysUsd);
        Assert.Equal(28m, w.MonthToDateUsd); // Nov 1 00:00 .. Nov 2 03:00 inclusive
    }

    [Fact]
    public void Latest_hour_skips_hours_without_data_and_ignores_future_hours()
    {
        var from = new DateTime(2026, 11, 10, 0, 0, 0, DateTimeKind.Utc);
        var buckets = Hourly(from, 3, i => i + 1m);                      // 00:00=1, 01:00=2, 02:00=3
        buckets.Set(new BucketKey("gcp", "", "compute", from.AddHours(9), "", ""), new BucketAmount(50m, 0, 0, 0));

        var w = CostWindows.Compute(buckets, from.AddHours(6).AddMinutes(1));

        Assert.Equal(from.AddHours(2), w.LatestHour);
        Assert.Equal(3m, w.LatestHourUsd);
        Assert.Equal(0m, w.RunningHourUsd);
        Assert.Equal(6m, w.Last24HoursUsd);
        Assert.Equal(6m, w.MonthToDateUsd);
    }

    [Fact]
    public void Day_window_crosses_midnight_and_excludes_the_25th_hour_back()
    {
        var from = new DateTime(2026, 11, 9, 0, 0, 0, DateTimeKind.Utc);
        var buckets = Hourly(from, 48, i => i);                          // hour i costs i USD
        var now = from.AddHours(40).AddMinutes(30);                       // running hour is i = 40

        var w = CostWindows.Compute(buckets, now);

        Assert.Equal(Enumerable.Range(16, 24).Sum(), (int)w.Last24HoursUsd);
        Assert.Equal(40m, w.RunningHourUsd);
    }
}
