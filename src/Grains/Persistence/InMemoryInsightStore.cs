using System.Collections.Concurrent;
using CloudSentinel.Grains.Abstractions.Persistence;

namespace CloudSentinel.Grains.Persistence;

/// <summary>Insights and budgets without PostgreSQL: they live as long as the silo process.</summary>
public sealed class InMemoryInsightStore : IInsightStore, IBudgetStore
{
    private readonly ConcurrentDictionary<(string, string, DateTime), AnomalyRecord> _anomalies = new();
    private readonly ConcurrentDictionary<(string, string, DateTime), ForecastRecord> _forecasts = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, decimal>> _budgets = new();

    public IReadOnlyCollection<AnomalyRecord> Anomalies => _anomalies.Values.ToList();

    public IReadOnlyCollection<ForecastRecord> Forecasts => _forecasts.Values.ToList();

    public void SaveAnomaly(AnomalyRecord anomaly) => _anomalies[(anomaly.Tenant, anomaly.ServiceName, anomaly.Hour)] = anomaly;

    public void RemoveAnomaly(string tenant, string serviceName, DateTime hour) => _anomalies.TryRemove((tenant, serviceName, hour), out _);

    public void SaveForecast(ForecastRecord forecast) => _forecasts[(forecast.Tenant, forecast.ServiceName, forecast.Month)] = forecast;

    public Task<IReadOnlyList<DateTime>> LoadAnomalyHoursAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DateTime>>(_anomalies.Keys.Where(k => k.Item1 == tenant && k.Item2 == serviceName && k.Item3 >= since).Select(k => k.Item3).ToList());

    public Task<IReadOnlyDictionary<string, decimal>> LoadAsync(string tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, decimal>>(
            _budgets.TryGetValue(tenant, out var budgets) ? new Dictionary<string, decimal>(budgets) : new Dictionary<string, decimal>());

    public Task SaveAsync(string tenant, string serviceName, decimal? monthlyUsd, CancellationToken cancellationToken)
    {
        var budgets = _budgets.GetOrAdd(tenant, _ => new ConcurrentDictionary<string, decimal>());
        if (monthlyUsd is { } amount) budgets[serviceName] = amount;
        else budgets.TryRemove(serviceName, out _);
        return Task.CompletedTask;
    }
}
