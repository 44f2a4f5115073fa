namespace CloudSentinel.Storage.Queries;

/// <summary>What the service page shows beside the hours: the monthly budget, the month's forecast and the recorded anomalies, largest impact first.</summary>
public sealed record ServiceOutlook(decimal? BudgetUsd, ForecastBand? Forecast, AnomalyExplanation[] Anomalies);
