using CloudSentinel.Anomalies;
using static CloudSentinel.Anomalies.Tests.Series;

namespace CloudSentinel.Anomalies.Tests;

public sealed class ForecastTests
{
    private readonly MonthForecaster _forecaster = new();

    [Fact]
    public void Worked_example_flat_service_on_day_ten()
    {
        var asOf = Utc(2025, 1, 10, 23);
        var totals = Hourly(Utc(2024, 12, 1), asOf.AddHours(1), _ => 2.00m);

        var forecast = _forecaster.Forecast(totals.View(), asOf, budgetUsd: 1400m);

        Assert.Equal(Utc(2025, 1, 1), forecast.Month);
        Assert.Equal(480.00m, forecast.MonthToDateUsd);
        Assert.Equal(504, forecast.RemainingHours);
        Assert.Equal(1488.00m, forecast.ForecastUsd);
        Assert.Equal(1441.826400m, forecast.LowerUsd);
        Assert.Equal(1534.173600m, forecast.UpperUsd);
        Assert.Equal(ForecastBasis.Baseline, forecast.Basis);
        Assert.True(forecast.ForecastExceedsBudget);
    }

    [Fact]
    public void No_history_forecasts_month_to_date_with_an_empty_band()
    {
        var asOf = Utc(2025, 1, 10, 5);
        var totals = Hourly(Utc(2025, 1, 10), asOf.AddHours(1), _ => 3.00m);

        var forecast = _forecaster.Forecast(totals.View(), asOf, budgetUsd: 100m);

        Assert.Equal(ForecastBasis.MonthToDateOnly, forecast.Basis);
        Assert.Equal(18.00m, forecast.ForecastUsd);
        Assert.Equal(forecast.ForecastUsd, forecast.LowerUsd);
        Assert.Equal(forecast.ForecastUsd, forecast.UpperUsd);
        Assert.False(forecast.ForecastExceedsBudget);
    }

    [Fact]
    public void Empty_series_forecasts_zero()
    {
        var forecast = _forecaster.Forecast(new SortedDictionary<DateTime, decimal>().View(), Utc(2025, 1, 10));

        Assert.Equal(0m, forecast.ForecastUsd);
        Assert.False(forecast.ForecastExceedsBudget);
    }

    [Fact]
    public void Full_month_forecast_is_the_actual_total()
    {
        var asOf = Utc(2025, 2, 28, 23);
        var totals = Hourly(Utc(2025, 1, 1), asOf.AddHours(1), h => h.Day % 2 == 0 ? 1.00m : 3.00m);

        var forecast = _forecaster.Forecast(totals.View(), asOf);

        Assert.Equal(ForecastBasis.CompleteMonth, forecast.Basis);
        Assert.Equal(0, forecast.RemainingHours);
        Assert.Equal(14 * 24 * 1.00m + 14 * 24 * 3.00m, forecast.ForecastUsd);
        Assert.Equal(forecast.ForecastUsd, forecast.UpperUsd);
    }

    [Fact]
    public void Month_rolls_over_at_midnight_UTC_on_the_first()
    {
        var totals = Hourly(Utc(2024, 12, 1), Utc(2025, 2, 1, 1), _ => 2.00m);

        var lastHourOfJanuary = _forecaster.Forecast(totals.View(), Utc(2025, 1, 31, 23));
        var firstHourOfFebruary = _forecaster.Forecast(totals.View(), Utc(2025, 2, 1, 0));

        Assert.Equal(Utc(2025, 1, 1), lastHourOfJanuary.Month);
        Assert.Equal(31 * 24 * 2.00m, lastHourOfJanuary.MonthToDateUsd);
        Assert.Equal(Utc(2025, 2, 1), firstHourOfFebruary.Month);
        Assert.Equal(2.00m, firstHourOfFebruary.MonthToDateUsd);
        Assert.Equal(28 * 24 - 1, firstHourOfFebruary.RemainingHours);
        Assert.Equal(28 * 24 * 2.00m, firstHourOfFebruary.ForecastUsd);
    }

    [Fact]
    public void Weekly_pattern_and_growth_are_carried_into_the_rest_of_the_month()
    {
        var asOf = Utc(2025, 3, 10, 23);
        var start = Utc(2025, 1, 1);
        decimal Cost(DateTime h) =>
            (h.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 5m : 10m) * (1 + (decimal)(h - start).TotalHours / 10_000m);
        var totals = Hourly(start, asOf.AddHours(1), Cost);
        var actual = Hourly(Utc(2025, 3, 1), Utc(2025, 4, 1), Cost).Values.Sum();

        var forecast = _forecaster.Forecast(totals.View(), asOf);

        Assert.InRange(forecast.ForecastUsd, actual * 0.99m, actual * 1.01m);
        Assert.InRange(actual, forecast.LowerUsd, forecast.UpperUsd);
    }
}
