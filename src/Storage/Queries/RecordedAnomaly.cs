namespace CloudSentinel.Storage.Queries;

/// <summary>One anomalous hour as the grains recorded it in <c>cost_anomalies</c>: the cost, what was expected, and why it was judged so.</summary>
public sealed record RecordedAnomaly(DateTime Timestamp, string ServiceName, decimal CostUsd, decimal ExpectedCost, double Zscore, string Direction, string Reason, DateTime DetectedAt);
