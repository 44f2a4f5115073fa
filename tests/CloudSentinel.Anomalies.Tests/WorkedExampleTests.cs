using CloudSentinel.Anomalies;
using static CloudSentinel.Anomalies.Tests.Series;

namespace CloudSentinel.Anomalies.Tests;

/// <summary>The worked examples of docs/anomalies.md, with the numbers the document quotes.</summary>
public sealed class WorkedExampleTests
{
    private static readonly DateTime Monday = Utc(2025, 3, 3);
    private readonly AnomalyDetector _detector = new();

    [Fact]
    public void Example1_flat_service_spike_is_scored_against_the_relative_scale_floor()
    {
        var hour = Utc(2025, 3, 17);
        var totals = Hourly(Monday, hour, _ => 2.00m);
        totals[hour] = 4.10m;

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(2.00m, result.ExpectedUsd);
        Assert.Equal(0.30m, result.ScaleUsd);
        Assert.Equal(7.0, result.ZScore!.Value, 9);
        Assert.Equal(AnomalyDirection.Up, result.Direction);
        Assert.Equal(AnomalyVerdict.Anomaly, result.Verdict);
        Assert.Equal(AnomalyRule.Hour, result.Rule);
        Assert.Equal(2.10m, result.ImpactUsd);
        Assert.Equal(105.0, result.ImpactPercent!.Value, 9);
    }

    [Fact]
    public void Example2_recurring_Monday_morning_peak_is_expected_and_a_bigger_one_is_not()
    {
        var hour = Utc(2025, 3, 31, 8);
        var totals = MondayPeakSeries(hour);
        totals[hour] = 12.00m;

        var normal = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(12.00m, normal.ExpectedUsd);
        Assert.Equal(1.80m, normal.ScaleUsd);
        Assert.Equal(0.0, normal.ZScore!.Value, 9);
        Assert.Equal(AnomalyVerdict.Normal, normal.Verdict);

        totals[hour] = 24.00m;
        var spike = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(6.666666667, spike.ZScore!.Value, 9);
        Assert.Equal(AnomalyVerdict.Anomaly, spike.Verdict);
    }

    [Theory]
    [InlineData(ImpactCombination.And, AnomalyVerdict.BelowImpact)]
    [InlineData(ImpactCombination.Or, AnomalyVerdict.Anomaly)]
    public void Example2_impact_thresholds_combine_with_and_or(ImpactCombination combination, AnomalyVerdict expected)
    {
        var hour = Utc(2025, 3, 31, 8);
        var totals = MondayPeakSeries(hour);
        totals[hour] = 24.00m;
        var detector = new AnomalyDetector(new AnomalyOptions { MinImpactUsd = 15m, MinImpactPercent = 50, ImpactCombination = combination });

        var result = detector.Evaluate(totals.View(), hour);

        Assert.Equal(12.00m, result.ImpactUsd);
        Assert.Equal(100.0, result.ImpactPercent!.Value, 9);
        Assert.Equal(expected, result.Verdict);
    }

    [Theory]
    [InlineData("23.00", 5.845586582, AnomalyVerdict.Anomaly)]
    [InlineData("22.00", 5.395926076, AnomalyVerdict.Normal)]
    public void Example3_noisy_week_sets_the_scale_by_MAD(string actual, double z, AnomalyVerdict verdict)
    {
        var hour = Utc(2025, 4, 7, 12);
        var noisyFrom = hour.AddHours(-168);
        var totals = Hourly(Monday, hour, h => h < noisyFrom ? 10.00m : h.Hour % 2 == 0 ? 11.50m : 8.50m);
        totals[hour] = decimal.Parse(actual, System.Globalization.CultureInfo.InvariantCulture);

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(10.00m, result.ExpectedUsd);
        Assert.Equal(2.2239m, result.ScaleUsd);
        Assert.Equal(z, result.ZScore!.Value, 9);
        Assert.Equal(verdict, result.Verdict);
    }

    [Theory]
    [InlineData("20.00", 0.0, AnomalyVerdict.Normal)]
    [InlineData("8.00", -4.0, AnomalyVerdict.Normal)]
    [InlineData("2.00", -6.0, AnomalyVerdict.Anomaly)]
    public void Example4_a_past_level_shift_rescales_every_week_sample(string actual, double z, AnomalyVerdict verdict)
    {
        var hour = Utc(2025, 3, 31, 2);
        var totals = ShiftedWeekendSeries(hour);
        totals[hour] = decimal.Parse(actual, System.Globalization.CultureInfo.InvariantCulture);

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(20.00m, result.ExpectedUsd);
        Assert.Equal(3.00m, result.ScaleUsd);
        Assert.Equal(z, result.ZScore!.Value, 9);
        Assert.Equal(verdict, result.Verdict);
    }

    [Fact]
    public void Example5_a_shift_below_the_hour_threshold_is_found_by_the_sustained_rule()
    {
        var hour = Utc(2025, 3, 24, 14);
        var totals = Hourly(Monday, hour.AddHours(1), h => h >= hour.AddHours(-2) ? 16.00m : 10.00m);

        var first = _detector.Evaluate(totals.View(), hour.AddHours(-2));
        var second = _detector.Evaluate(totals.View(), hour.AddHours(-1));
        var third = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(AnomalyVerdict.Normal, first.Verdict);
        Assert.Equal(4.0, first.ZScore!.Value, 9);
        Assert.Equal(AnomalyVerdict.Normal, second.Verdict);
        Assert.Equal(AnomalyRule.Sustained, third.Rule);
        Assert.Equal(10.00m, third.ExpectedUsd);
        Assert.Equal(5.527968747, third.ZScore!.Value, 9);
        Assert.Equal(4.5, third.ZThreshold);
        Assert.Equal(AnomalyVerdict.Anomaly, third.Verdict);
    }

    [Fact]
    public void Example6_a_day_held_45_percent_above_last_week_is_found_by_the_ramp_rule()
    {
        var hour = Utc(2025, 3, 24, 14);
        var totals = Hourly(Monday, hour.AddHours(1), h => h > hour.AddHours(-24) ? 14.50m : 10.00m);

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(AnomalyRule.Ramp, result.Rule);
        Assert.Equal(10.00m, result.ExpectedUsd);
        Assert.Equal(8.291953120, result.ZScore!.Value, 9);
        Assert.Equal(AnomalyVerdict.Anomaly, result.Verdict);
        Assert.Equal(4.50m, result.ImpactUsd);
    }

    /// <summary>4.00 USD/hour, and 12.00 on Mondays 08:00–10:59, from Monday 3 March 2025 until <paramref name="until"/>.</summary>
    internal static SortedDictionary<DateTime, decimal> MondayPeakSeries(DateTime until) =>
        Hourly(Monday, until, h => h.DayOfWeek == DayOfWeek.Monday && h.Hour is >= 8 and <= 10 ? 12.00m : 4.00m);

    /// <summary>
    /// 10.00 USD/hour on weekdays and 5.00 at weekends from Monday 3 March 2025, doubled from Wednesday
    /// 19 March 00:00 on, until <paramref name="until"/>.
    /// </summary>
    internal static SortedDictionary<DateTime, decimal> ShiftedWeekendSeries(DateTime until) =>
        Hourly(Monday, until, h => (h.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 5.00m : 10.00m) * (h >= Utc(2025, 3, 19) ? 2 : 1));
}
