using CloudSentinel.Anomalies;
using static CloudSentinel.Anomalies.Tests.Series;

namespace CloudSentinel.Anomalies.Tests;

public sealed class DetectorTests
{
    private static readonly DateTime Start = Utc(2025, 3, 3);
    private readonly AnomalyDetector _detector = new();

    [Fact]
    public void No_verdict_before_seven_days_of_history()
    {
        var early = Start.AddDays(7).AddHours(-1);
        var totals = Hourly(Start, Start.AddDays(8), _ => 2.00m);
        totals[early] = 50m;
        totals[early.AddHours(1)] = 50m;

        var warming = _detector.Evaluate(totals.View(), early);
        var warm = _detector.Evaluate(totals.View(), early.AddHours(1));

        Assert.Equal(AnomalyVerdict.WarmingUp, warming.Verdict);
        Assert.Null(warming.ExpectedUsd);
        Assert.Null(warming.ZScore);
        Assert.Equal(AnomalyVerdict.Anomaly, warm.Verdict);
    }

    [Fact]
    public void Warm_up_is_configurable()
    {
        var hour = Start.AddDays(3);
        var totals = Hourly(Start, hour, _ => 2.00m);
        totals[hour] = 50m;

        var result = new AnomalyDetector(new AnomalyOptions { WarmUp = TimeSpan.FromDays(3) }).Evaluate(totals.View(), hour);

        Assert.Equal(AnomalyVerdict.Anomaly, result.Verdict);
    }

    [Fact]
    public void Empty_series_is_warming_up()
    {
        var result = _detector.Evaluate(new SortedDictionary<DateTime, decimal>().View(), Start);

        Assert.Equal(AnomalyVerdict.WarmingUp, result.Verdict);
        Assert.Equal(0m, result.ActualUsd);
    }

    [Fact]
    public void Hours_below_the_dollar_floor_are_never_anomalies()
    {
        var hour = Start.AddDays(14);
        var totals = Hourly(Start, hour, _ => 0.02m);
        totals[hour] = 0.09m;

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(AnomalyVerdict.BelowFloor, result.Verdict);
        Assert.True(result.ZScore > 3);
    }

    [Fact]
    public void Crossing_the_floor_is_judged_normally()
    {
        var hour = Start.AddDays(14);
        var totals = Hourly(Start, hour, _ => 0.02m);
        totals[hour] = 0.50m;

        Assert.Equal(AnomalyVerdict.Anomaly, _detector.Evaluate(totals.View(), hour).Verdict);
    }

    [Theory]
    [InlineData(null, null, ImpactCombination.And, AnomalyVerdict.Anomaly)]
    [InlineData("2.00", null, ImpactCombination.And, AnomalyVerdict.Anomaly)]
    [InlineData("3.00", null, ImpactCombination.And, AnomalyVerdict.BelowImpact)]
    [InlineData(null, 80.0, ImpactCombination.And, AnomalyVerdict.Anomaly)]
    [InlineData(null, 120.0, ImpactCombination.And, AnomalyVerdict.BelowImpact)]
    [InlineData("1.00", 120.0, ImpactCombination.And, AnomalyVerdict.BelowImpact)]
    [InlineData("1.00", 120.0, ImpactCombination.Or, AnomalyVerdict.Anomaly)]
    [InlineData("3.00", 120.0, ImpactCombination.Or, AnomalyVerdict.BelowImpact)]
    public void Impact_thresholds_apply_alone_or_combined(string? minUsd, double? minPercent, ImpactCombination combination, AnomalyVerdict expected)
    {
        var hour = Utc(2025, 3, 17);
        var totals = Hourly(Start, hour, _ => 2.00m);
        totals[hour] = 4.10m; // Example 1: impact 2.10 USD, 105 %, z = 7.
        var options = new AnomalyOptions
        {
            MinImpactUsd = minUsd is null ? null : decimal.Parse(minUsd, System.Globalization.CultureInfo.InvariantCulture),
            MinImpactPercent = minPercent,
            ImpactCombination = combination,
        };

        Assert.Equal(expected, new AnomalyDetector(options).Evaluate(totals.View(), hour).Verdict);
    }

    [Fact]
    public void Weekly_Monday_morning_peak_is_not_flagged()
    {
        var week5 = Utc(2025, 3, 31);
        var totals = WorkedExampleTests.MondayPeakSeries(week5.AddDays(1));
        var view = totals.View();

        for (var hour = week5; hour < week5.AddDays(1); hour = hour.AddHours(1))
        {
            var result = _detector.Evaluate(view, hour);
            Assert.Equal(AnomalyVerdict.Normal, result.Verdict);
            Assert.Equal(totals[hour], result.ExpectedUsd);
        }
    }

    [Fact]
    public void A_past_spike_does_not_mask_the_next_one()
    {
        var hour = Utc(2025, 4, 7, 12);
        var totals = Hourly(Start, hour, _ => 10.00m);
        totals[hour.AddDays(-3)] = 100.00m;
        totals[hour] = 19.00m;

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(10.00m, result.ExpectedUsd);
        Assert.Equal(6.0, result.ZScore!.Value, 9);
        Assert.Equal(AnomalyVerdict.Anomaly, result.Verdict);
    }

    [Fact]
    public void A_drop_to_zero_last_week_widens_the_scale_instead_of_lowering_the_expectation()
    {
        var hour = Utc(2025, 3, 20, 9);
        var totals = Hourly(Start, hour, h => h >= hour.AddDays(-7).AddHours(-6) && h < hour.AddDays(-7).AddHours(6) ? 0m : 10.00m);
        totals[hour] = 10.00m;

        var result = _detector.Evaluate(totals.View(), hour);

        // Votes: last week's hour 0, the week before 10, the day median 10 → expected 10, and the
        // one disagreeing vote does not move the median absolute deviation of three votes.
        Assert.Equal(10.00m, result.ExpectedUsd);
        Assert.Equal(AnomalyVerdict.Normal, result.Verdict);
    }

    [Fact]
    public void Drop_to_zero_is_a_downward_anomaly()
    {
        var hour = Utc(2025, 3, 20, 9);
        var totals = Hourly(Start, hour, _ => 5.00m);
        totals[hour] = 0m;

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(AnomalyDirection.Down, result.Direction);
        Assert.Equal(AnomalyVerdict.Anomaly, result.Verdict);
        Assert.Contains("below the expected 5 USD", result.Reason);
    }

    [Fact]
    public void Restated_hour_is_re_evaluated_with_its_new_value()
    {
        var hour = Utc(2025, 3, 20, 9);
        var totals = Hourly(Start, hour.AddHours(5), _ => 5.00m);
        totals[hour] = 40.00m;
        var first = _detector.Evaluate(totals.View(), hour);

        totals[hour] = 5.10m;
        var restated = _detector.Evaluate(totals.View(), hour);

        Assert.True(first.IsAnomaly);
        Assert.Equal(AnomalyVerdict.Normal, restated.Verdict);
        Assert.Equal(5.00m, restated.ExpectedUsd);
        Assert.Equal(first.ExpectedUsd, restated.ExpectedUsd);
    }

    [Fact]
    public void Missing_hours_after_the_first_count_as_zero()
    {
        var hour = Utc(2025, 3, 20, 9);
        var totals = Hourly(Start, hour, _ => 5.00m);
        totals.Remove(hour);

        var result = _detector.Evaluate(totals.View(), hour);

        Assert.Equal(0m, result.ActualUsd);
        Assert.True(result.IsAnomaly);
    }

    [Fact]
    public void Lookup_adapter_reads_what_a_grain_holds()
    {
        var hour = Utc(2025, 3, 17);
        var totals = Hourly(Start, hour, _ => 2.00m);
        totals[hour] = 3.50m;

        var result = _detector.Evaluate(HourlySeries.From(totals.Keys.FirstOrDefault(), h => totals.GetValueOrDefault(h)), hour);

        Assert.Equal(5.0, result.ZScore!.Value, 9);
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new AnomalyDetector(new AnomalyOptions { ZThreshold = double.NaN }));

        Assert.Contains("ZThreshold", error.Message);
    }
}
