using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Tests.Unit;

public sealed class HourlyZScoreTests
{
    [Fact]
    public void Zscore_matches_a_hand_computed_value()
    {
        // history 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population std 2; x = 11 gives z = 3.
        var result = HourlyZScore.Compute(11, [2, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(5d, result.Mean);
        Assert.Equal(2d, result.StdDev);
        Assert.Equal(3d, result.Z);
    }

    [Fact]
    public void Flat_history_gives_zero_not_infinity()
    {
        Assert.Equal(0d, HourlyZScore.Compute(10, [1, 1, 1, 1]).Z);
    }

    [Fact]
    public void Series_zscore_counts_missing_hours_as_zero_and_needs_a_day_of_history()
    {
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var buckets = new ServiceBuckets();
        // 24 hours alternating 2 and (missing = 0): mean 1, std 1. Then 4 at hour 24: z = 3.
        for (var i = 0; i < 24; i += 2) buckets.Set(new BucketKey("aws", "", "compute", start.AddHours(i), "", ""), new BucketAmount(2m, 0, 0, 0));
        buckets.Set(new BucketKey("aws", "", "compute", start.AddHours(24), "", ""), new BucketAmount(4m, 0, 0, 0));

        Assert.Null(HourlyZScore.Of(buckets, start.AddHours(23), HourlyZScore.DefaultWindow));
        var z = HourlyZScore.Of(buckets, start.AddHours(24), HourlyZScore.DefaultWindow);

        Assert.NotNull(z);
        Assert.Equal(1d, z.Mean);
        Assert.Equal(3d, z.Z);
    }
}
