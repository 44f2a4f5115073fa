using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

public sealed class HourlySpreadTests
{
    private static readonly DateTime Day = new(2026, 11, 3, 0, 0, 0, DateTimeKind.Utc);

    private static List<(DateTime Hour, decimal Share)> Spread(DateTime start, DateTime end, decimal amount)
    {
        var shares = new List<(DateTime, decimal)>();
        HourlySpread.Spread(start, end, (hour, fraction) => shares.Add((hour, fraction.Of(amount))));
        return shares;
    }

    [Fact]
    public void Daily_charge_is_spread_evenly_over_24_hours_and_keeps_its_exact_total()
    {
        var shares = Spread(Day, Day.AddDays(1), 1.00m);

        Assert.Equal(24, shares.Count);
        Assert.Equal(Day, shares[0].Hour);
        Assert.Equal(Day.AddHours(23), shares[^1].Hour);
        Assert.Equal(1.00m, shares.Sum(s => s.Share));
        // 1/24 = 0.041666..., rounded cumulatively to 1e-10: every share is within 1e-10 of it.
        Assert.All(shares, s => Assert.InRange(s.Share, 0.0416666666m, 0.0416666667m));
    }

    [Fact]
    public void Period_that_straddles_hours_is_split_by_time_covered()
    {
        var shares = Spread(Day.AddMinutes(30), Day.AddMinutes(150), 10m);

        Assert.Equal([(Day, 2.5m), (Day.AddHours(1), 5m), (Day.AddHours(2), 2.5m)], shares);
    }

    [Fact]
    public void Hour_long_period_is_one_bucket_with_the_whole_amount()
    {
        Assert.Equal([(Day.AddHours(5), 3.1415926535897m)], Spread(Day.AddHours(5), Day.AddHours(6), 3.1415926535897m));
    }

    [Fact]
    public void Negative_credit_over_a_day_keeps_its_exact_total()
    {
        var shares = Spread(Day, Day.AddDays(1), -7.77m);

        Assert.Equal(-7.77m, shares.Sum(s => s.Share));
        Assert.All(shares, s => Assert.True(s.Share < 0));
    }

    [Fact]
    public void Odd_amounts_over_odd_periods_always_sum_to_the_total()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var start = Day.AddMinutes(random.Next(0, 600));
            var end = start.AddMinutes(random.Next(1, 3 * 24 * 60));
            var amount = Math.Round((decimal)(random.NextDouble() * 20_000 - 10_000), random.Next(0, 12));

            Assert.Equal(amount, Spread(start, end, amount).Sum(s => s.Share));
        }
    }

    [Fact]
    public void Daily_charge_far_below_a_micro_dollar_keeps_every_hour_and_its_exact_total()
    {
        var shares = Spread(Day, Day.AddDays(1), 0.00000037m);

        Assert.Equal(0.00000037m, shares.Sum(s => s.Share));
        // 0.00000037 / 24 = 0.0000000154166...: no hour is rounded away.
        Assert.All(shares, s => Assert.InRange(s.Share, 0.0000000154m, 0.0000000155m));
    }

    [Fact]
    public void Shares_keep_the_precision_the_source_carries_when_it_is_finer_than_1e_10()
    {
        var shares = Spread(Day, Day.AddDays(1), 0.000000000000240000m);

        Assert.Equal(0.00000000000024m, shares.Sum(s => s.Share));
        Assert.All(shares, s => Assert.Equal(0.00000000000001m, s.Share));
    }
}
