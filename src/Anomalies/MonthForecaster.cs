using CloudSentinel.Core;

namespace CloudSentinel.Anomalies;

/// <summary>
/// Month-end forecast = month to date + Σ over the remaining hours of max(0, seasonal reference +
/// level + trend × whole weeks ahead), with a 95% band from the residual scale, the level's standard error
/// and the trend's spread (docs/anomalies.md). Months are UTC calendar months.
/// </summary>
public sealed class MonthForecaster(AnomalyOptions? options = null)
{
    private const double BandZ = 1.96;

    /// <summary>
    /// The band's hourly scale is never below this fraction of the mean forecast hour. Lower than the
    /// detector's floor, which guards single hours against a flat week's MAD of 0: a month sum averages
    /// hours, and with the detector's 15% the band held 96–99% of the actual totals (issue 19: 90–97%).
    /// </summary>
    private const double BandScaleFloor = 0.09;

    private readonly AnomalyOptions _options = (options ?? AnomalyOptions.Default).Validate();

    /// <summary>
    /// Forecasts the month that contains <paramref name="asOfHourUtc"/>, counting the data of every hour
    /// of that month up to and including it (normally the service's latest hour) and forecasting the rest.
    /// </summary>
    public MonthForecast Forecast(IHourlySeries series, DateTime asOfHourUtc, decimal? budgetUsd = null)
    {
        var asOf = UtcHours.HourStart(asOfHourUtc);
        var month = UtcHours.MonthStart(asOf);
        var remaining = UtcHours.HoursBetween(asOf, month.AddMonths(1)) - 1;
        var monthToDate = 0m;
        for (var hour = month; hour <= asOf; hour = hour.AddHours(1)) monthToDate += series.CostAt(hour);

        MonthForecast Flat(ForecastBasis basis) =>
            new(month, asOf, monthToDate, monthToDate, monthToDate, monthToDate, remaining, basis, budgetUsd);

        if (remaining == 0) return Flat(ForecastBasis.CompleteMonth);
        if (series.FirstHour is not { } first || asOf - first < TimeSpan.FromDays(1)) return Flat(ForecastBasis.MonthToDateOnly);

        Span<double> buffer = stackalloc double[_options.WindowHours + 1];
        var baseline = SeasonalBaseline.Read(series, first, asOf, _options, buffer);
        var (rest, halfWidth) = Remaining(baseline, remaining);
        var forecast = monthToDate + Math.Round((decimal)rest, 6);
        var lower = monthToDate + Math.Round((decimal)Math.Max(0, rest - halfWidth), 6);
        var upper = monthToDate + Math.Round((decimal)(rest + halfWidth), 6);
        return new MonthForecast(month, asOf, monthToDate, forecast, lower, upper, remaining, ForecastBasis.Baseline, budgetUsd);
    }

    private (double Sum, double HalfWidth) Remaining(SeasonalBaseline baseline, int remaining)
    {
        var (level, scale, levelCount) = baseline.LevelAndScale();
        var (slope, slopeSpread) = Trend(baseline);

        // Future hours share their known samples with the hour one week later, so one week of references serves the month.
        Span<double> references = stackalloc double[Math.Min(remaining, 168)];
        for (var m = 0; m < references.Length; m++) references[m] = baseline.Reference(baseline.Anchor + 1 + m, baseline.Anchor);

        // Reference + level already tracks the trend for the coming week: the level is measured against
        // references that lag their hour as much as the coming week's references lag theirs. Each later
        // week reuses those references one more week staler, so the trend adds one week's growth per week.
        double sum = 0, horizonSum = 0;
        for (var m = 1; m <= remaining; m++)
        {
            var staleHours = 168.0 * ((m - 1) / 168);
            sum += AnomalyDetector.Expected(references[(m - 1) % references.Length], level + slope * staleHours);
            horizonSum += staleHours;
        }

        var sigma = Math.Max(scale, Math.Max(BandScaleFloor * Math.Abs(sum / remaining), _options.AbsoluteScaleFloorUsd));
        var levelError = levelCount == 0 ? sigma : Robust.MedianStandardError * sigma / Math.Sqrt(levelCount);
        var noise = remaining * sigma * sigma;
        var levelTerm = remaining * levelError;
        var trendTerm = horizonSum * slopeSpread;
        return (sum, BandZ * Math.Sqrt(noise + levelTerm * levelTerm + trendTerm * trendTerm));
    }

    /// <summary>
    /// Level change per hour: the median over the last 7 days of (day total − the same weekday's total a
    /// week earlier) / 24 / 168, which cancels daily and weekly seasonality and ignores a few odd days.
    /// Zero without two full weeks of history. Also returns the standard error of that median.
    /// </summary>
    private static (double Slope, double Spread) Trend(SeasonalBaseline baseline)
    {
        const int days = 7;
        if (baseline.Anchor + 1 < 2 * 168 || double.IsNaN(baseline[baseline.Anchor + 1 - 2 * 168])) return (0, 0);

        Span<double> slopes = stackalloc double[days];
        Span<double> scratch = stackalloc double[days];
        for (var d = 0; d < days; d++)
        {
            var end = baseline.Anchor - 24 * d;
            double recent = 0, weekEarlier = 0;
            for (var h = 0; h < 24; h++)
            {
                recent += baseline[end - h];
                weekEarlier += baseline[end - h - 168];
            }

            slopes[d] = (recent - weekEarlier) / 24 / 168;
        }

        var slope = Robust.Median(slopes, scratch);
        var spread = Robust.MadToSigma * Robust.Mad(slopes, slope, scratch) * Robust.MedianStandardError / Math.Sqrt(days);
        return (slope, spread);
    }
}
