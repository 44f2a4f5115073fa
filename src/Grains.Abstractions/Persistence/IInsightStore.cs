namespace CloudSentinel.Grains.Abstractions.Persistence;

/// <summary>
/// Where a service grain's verdicts go: anomaly rows (one per anomalous hour, updated or removed
/// when a restatement changes the verdict) and month-end forecasts. Writes are coalesced and batched.
/// </summary>
public interface IInsightStore
{
    void SaveAnomaly(AnomalyRecord anomaly);

    void RemoveAnomaly(string tenant, string serviceName, DateTime hour);

    void SaveForecast(ForecastRecord forecast);

    /// <summary>Hours of the service recorded as anomalous since <paramref name="since"/>, so a reactivated grain can clear them.</summary>
    Task<IReadOnlyList<DateTime>> LoadAnomalyHoursAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken);
}

/// <summary>A row of cost_anomalies.</summary>
public sealed record AnomalyRecord(
    string Tenant, string ServiceName, DateTime Hour, decimal CostUsd, decimal ExpectedUsd, double ZScore, string Direction, string Reason);

/// <summary>A row of cost_forecasts.</summary>
public sealed record ForecastRecord(
    string Tenant, string ServiceName, DateTime Month, decimal ForecastUsd, decimal LowerUsd, decimal UpperUsd, decimal? BudgetUsd, bool ExceedsBudget);
