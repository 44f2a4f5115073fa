using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// Keeps the contract gauges equal to the latest service snapshots. Each snapshot replaces the
/// series of its service: new values are set and series the service no longer has are removed,
/// so a scrape only serializes what is in memory. A tenant has at most <c>maxSeriesPerTenant</c>
/// series: a service that would take it over gets none (its data is in PostgreSQL all the same) and
/// is counted as a series overflow; services already shown keep theirs.
/// </summary>
public sealed class GaugeExporter
{
    /// <summary>The default cap (Limits:MaxSeriesPerTenant): ten series for each of the 10,000 services a tenant may have.</summary>
    public const int DefaultMaxSeriesPerTenant = 100_000;

    private readonly int _maxSeriesPerTenant;
    private readonly Action<string>? _seriesOverflow;
    private readonly Dictionary<string, int> _seriesByTenant = new(StringComparer.Ordinal);
    private readonly HashSet<string> _overSeriesCap = new(StringComparer.Ordinal);
    private readonly TenantGauge _costPerService;
    private readonly TenantGauge _cpu;
    private readonly TenantGauge _memory;
    private readonly TenantGauge _storage;
    private readonly TenantGauge _network;
    private readonly TenantGauge _currentHour;
    private readonly TenantGauge _monthToDate;
    private readonly TenantGauge _budget;
    private readonly TenantGauge _forecast;
    private readonly TenantGauge _expected;
    private readonly TenantGauge _zscore;
    private readonly TenantGauge _latestHour;
    private readonly TenantGauge _impact;
    private readonly TenantGauge _impactFloor;
    private readonly TenantGauge _forecastServices;
    private readonly AlertOptions _alerts;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<(TenantGauge Gauge, string[] Labels)>> _seriesByService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, LabeledHour[]>> _latestHoursByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, decimal>> _monthToDateByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (decimal Usd, bool Computed)>> _forecastByTenant = new(StringComparer.Ordinal);

    public GaugeExporter(TenantRegistries registries, int maxSeriesPerTenant = DefaultMaxSeriesPerTenant, Action<string>? seriesOverflow = null, AlertOptions? alerts = null)
    {
        _maxSeriesPerTenant = maxSeriesPerTenant;
        _seriesOverflow = seriesOverflow;
        _alerts = alerts ?? new AlertOptions();
        TenantGauge Create(string name, string help, params string[] labels) => registries.Gauge(name, help, labels);

        _costPerService = Create("cloudsentinel_cost_per_service_usd",
            "Cost in USD of the service's latest ended hour with data (a rate in USD/hour), by cost type and cloud provider.",
            "tenant", "service_name", "cost_type", "cloud_provider");
        _cpu = Create("cloudsentinel_cpu_cost_usd", "CPU part of the compute cost in USD of the service's latest ended hour.", "tenant", "service_name");
        _memory = Create("cloudsentinel_memory_cost_usd", "Memory part of the compute cost in USD of the service's latest ended hour.", "tenant", "service_name");
        _storage = Create("cloudsentinel_storage_cost_usd", "Storage cost in USD of the service's latest ended hour, by storage type.", "tenant", "service_name", "storage_type");
        _network = Create("cloudsentinel_network_cost_usd", "Network cost in USD of the service's latest ended hour, by direction (ingress, egress).", "tenant", "service_name", "direction");
        _currentHour = Create("cloudsentinel_cost_current_hour_usd", "Cost in USD so far in the running (not yet ended) UTC hour.", "tenant", "service_name");
        _monthToDate = Create("cloudsentinel_cost_month_to_date_usd", "Cost in USD from the 1st of the current UTC month up to now, running hour included.", "tenant", "service_name");
        _budget = Create("cloudsentinel_service_budget_usd", "Monthly budget in USD of the service for the current UTC month.", "tenant", "service_name");
        _forecast = Create("cloudsentinel_cost_forecast_month_usd", "Forecast cost in USD of the service for the whole current UTC month.", "tenant", "service_name");
        _expected = Create("cloudsentinel_cost_expected_usd", "Expected cost in USD of the service's latest ended hour (the anomaly baseline).", "tenant", "service_name");
        _zscore = Create("cloudsentinel_cost_anomaly_zscore", "z-score of the service's latest ended hour against its baseline (dimensionless).", "tenant", "service_name");
        _latestHour = Create("cloudsentinel_data_latest_hour_timestamp_seconds",
            "Unix time in seconds of the start of the newest ended UTC hour that has cost data, by tenant and cloud provider.",
            "tenant", "cloud_provider");
        _impact = Create("cloudsentinel_cost_anomaly_impact_usd",
            "|actual − expected| in USD of the service's latest ended hour when its anomaly verdict flags it; 0 when it is not flagged.", "tenant", "service_name");
        _impactFloor = Create("cloudsentinel_anomaly_impact_floor_usd",
            "USD of impact a flagged hour must exceed for CostAnomalyDetected to page (configuration Alerts:AnomalyImpactFloorUsd, per tenant Alerts:TenantAnomalyImpactFloorUsd).", "tenant");
        _forecastServices = Create("cloudsentinel_forecast_services",
            "Services of the tenant by forecast state: computed, or warming_up (too little history yet). The tenant total forecast (service_name=\"*\") is exported only when none is warming up.",
            "tenant", "state");
    }

    public int SeriesCount
    {
        get { lock (_gate) return _seriesByService.Values.Sum(s => s.Count) + _latestHoursByTenant.Count; }
    }

    public void Apply(ServiceSnapshot snapshot)
    {
        var series = Series(snapshot);
        lock (_gate)
        {
            var shown = _seriesByService.TryGetValue(snapshot.Key, out var previous);
            var tenantSeries = _seriesByTenant.GetValueOrDefault(snapshot.Tenant);
            if (!shown && tenantSeries + series.Count > _maxSeriesPerTenant)
            {
                // The tenant's totals below still count the service; only its own series are left out.
                if (_overSeriesCap.Add(snapshot.Key)) _seriesOverflow?.Invoke(snapshot.Tenant);
            }
            else
            {
                _seriesByTenant[snapshot.Tenant] = tenantSeries - (previous?.Count ?? 0) + series.Count;
                if (shown)
                {
                    var current = series.Select(s => (s.Gauge, string.Join('\u0001', s.Labels))).ToHashSet();
                    foreach (var (gauge, labels) in previous!)
                    {
                        if (!current.Contains((gauge, string.Join('\u0001', labels)))) gauge.Remove(labels);
                    }
                }

                foreach (var (gauge, labels, value) in series) gauge.Set(labels, value);
                _seriesByService[snapshot.Key] = series.Select(s => (s.Gauge, s.Labels)).ToList();
            }

            if (snapshot.ServiceName != Budgets.TenantTotal)
            {
                UpdateLatestHours(snapshot);
                UpdateTenantMonthToDate(snapshot);
                UpdateTenantForecast(snapshot);
                _impactFloor.Set([snapshot.Tenant], (double)_alerts.FloorFor(snapshot.Tenant));
            }
        }
    }

    private List<(TenantGauge Gauge, string[] Labels, double Value)> Series(ServiceSnapshot s)
    {
        var list = new List<(TenantGauge, string[], double)>();
        string[] Service() => [s.Tenant, s.ServiceName];
        if (s.ServiceName == Budgets.TenantTotal)
        {
            // The tenant total carries only its budget; its month to date is the sum kept below.
            if (s.BudgetUsd is { } total) list.Add((_budget, Service(), (double)total));
            return list;
        }

        foreach (var line in s.LatestHourCosts) list.Add((_costPerService, [s.Tenant, s.ServiceName, line.CostType, line.Provider], (double)line.CostUsd));
        if (s.LatestHour is not null)
        {
            list.Add((_cpu, Service(), (double)s.CpuCostUsd));
            list.Add((_memory, Service(), (double)s.MemoryCostUsd));
        }

        foreach (var storage in s.StorageByType) list.Add((_storage, [s.Tenant, s.ServiceName, storage.Label], (double)storage.CostUsd));
        foreach (var network in s.NetworkByDirection) list.Add((_network, [s.Tenant, s.ServiceName, network.Label], (double)network.CostUsd));
        list.Add((_currentHour, Service(), (double)s.CurrentHourUsd));
        list.Add((_monthToDate, Service(), (double)s.MonthToDateUsd));
        if (s.BudgetUsd is { } budget) list.Add((_budget, Service(), (double)budget));
        if (s.ForecastMonthUsd is { } forecast) list.Add((_forecast, Service(), (double)forecast));
        if (s.ExpectedUsd is { } expected) list.Add((_expected, Service(), (double)expected));
        if (s.ZScore is { } z) list.Add((_zscore, Service(), z));
        if (s.LatestHour is not null) list.Add((_impact, Service(), (double)(s.AnomalyImpactUsd ?? 0m)));
        return list;
    }

    private void UpdateLatestHours(ServiceSnapshot snapshot)
    {
        if (!_latestHoursByTenant.TryGetValue(snapshot.Tenant, out var services))
        {
            services = new Dictionary<string, LabeledHour[]>(StringComparer.Ordinal);
            _latestHoursByTenant.Add(snapshot.Tenant, services);
        }

        var before = Newest(services);
        services[snapshot.Key] = snapshot.LatestHourByProvider;
        var after = Newest(services);
        foreach (var provider in before.Keys.Except(after.Keys)) _latestHour.Remove(snapshot.Tenant, provider);
        foreach (var (provider, hour) in after)
        {
            _latestHour.Set([snapshot.Tenant, provider], new DateTimeOffset(DateTime.SpecifyKind(hour, DateTimeKind.Utc)).ToUnixTimeSeconds());
        }
    }

    /// <summary>cloudsentinel_cost_month_to_date_usd{service_name="*"}: the tenant's total, for the tenant budget alert.</summary>
    private void UpdateTenantMonthToDate(ServiceSnapshot snapshot)
    {
        if (!_monthToDateByTenant.TryGetValue(snapshot.Tenant, out var services))
        {
            services = new Dictionary<string, decimal>(StringComparer.Ordinal);
            _monthToDateByTenant.Add(snapshot.Tenant, services);
        }

        services[snapshot.Key] = snapshot.MonthToDateUsd;
        _monthToDate.Set([snapshot.Tenant, Budgets.TenantTotal], (double)services.Values.Sum());
    }

    /// <summary>
    /// cloudsentinel_cost_forecast_month_usd{service_name="*"}: the sum of the services' forecasts, only
    /// once every service has one. A sum over some of them is not a forecast of the tenant (issue 19).
    /// </summary>
    private void UpdateTenantForecast(ServiceSnapshot snapshot)
    {
        if (!_forecastByTenant.TryGetValue(snapshot.Tenant, out var services))
        {
            services = new Dictionary<string, (decimal, bool)>(StringComparer.Ordinal);
            _forecastByTenant.Add(snapshot.Tenant, services);
        }

        if (snapshot.ForecastMonthUsd is { } forecast) services[snapshot.Key] = (forecast, snapshot.ForecastComputed);
        else services.Remove(snapshot.Key);
        var computed = services.Values.Count(f => f.Computed);
        _forecastServices.Set([snapshot.Tenant, "computed"], computed);
        _forecastServices.Set([snapshot.Tenant, "warming_up"], services.Count - computed);
        if (computed == services.Count && computed > 0) _forecast.Set([snapshot.Tenant, Budgets.TenantTotal], (double)services.Values.Sum(f => f.Usd));
        else _forecast.Remove(snapshot.Tenant, Budgets.TenantTotal);
    }

    private static Dictionary<string, DateTime> Newest(Dictionary<string, LabeledHour[]> services)
    {
        var newest = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var hours in services.Values)
        {
            foreach (var (provider, hour) in hours)
            {
                if (!newest.TryGetValue(provider, out var seen) || hour > seen) newest[provider] = hour;
            }
        }

        return newest;
    }
}
