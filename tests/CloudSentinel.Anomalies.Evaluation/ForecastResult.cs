namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>Forecast scores over every scored month, and over the months no labelled event touches.</summary>
public sealed record ForecastResult(int Seed, int Services, IReadOnlyList<ForecastScore> Forecasts, IReadOnlyList<ForecastScore> WithoutEvents);
