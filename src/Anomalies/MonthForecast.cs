namespace CloudSentinel.Anomalies;

/// <summary>What a month-end forecast rests on.</summary>
public enum ForecastBasis
{
    /// <summary>Less than a day of history: nothing to extrapolate, so forecast = month to date and the band is empty.</summary>
    MonthToDateOnly,

    /// <summary>Remaining hours forecast from the seasonal baseline, level and trend.</summary>
    Baseline,

    /// <summary>The month has no hours left: the forecast is the month's actual total.</summary>
    CompleteMonth,
}

/// <summary>A month-end forecast of one service (USD), as of the last hour whose data it counts.</summary>
public sealed record MonthForecast(
    DateTime Month,
    DateTime AsOfHour,
    decimal MonthToDateUsd,
    decimal ForecastUsd,
    decimal LowerUsd,
    decimal UpperUsd,
    int RemainingHours,
    ForecastBasis Basis,
    decimal? BudgetUsd)
{
    /// <summary>The <c>forecast_exceeds_budget</c> flag: false when there is no budget.</summary>
    public bool ForecastExceedsBudget => BudgetUsd is { } budget && ForecastUsd > budget;
}
