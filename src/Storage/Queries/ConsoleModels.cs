namespace CloudSentinel.Storage.Queries;

// What the console's JSON APIs answer. Amounts are USD; hours are UTC hour starts.

public sealed record HourCost(DateTime Hour, decimal CostUsd);

public sealed record ForecastBand(decimal ForecastUsd, decimal LowerUsd, decimal UpperUsd, int Services);

/// <summary>How many of the tenant's services have a computed forecast, of those with cost this month or a forecast.</summary>
public sealed record ForecastProgress(int Computed, int Services);

public sealed record ProviderFreshness(string Provider, DateTime LatestHour);

public sealed record AnomalyExplanation(DateTime Hour, string ServiceName, decimal ActualUsd, decimal ExpectedUsd, double Zscore, string Direction, decimal ImpactUsd, string Reason);

/// <summary>
/// One service's row: month to date, the last 7 complete UTC days and the 7 before them. Change is null
/// when the service has no full week before (new, or history shorter than 14 days).
/// </summary>
public sealed record ServiceRow(
    string ServiceName, decimal MonthToDateUsd, decimal Last7DaysUsd, decimal Previous7DaysUsd, double? ChangePercent,
    decimal? BudgetUsd, decimal? ForecastUsd, int Anomalies24h);

public sealed record ServicePage(string Tenant, DateOnly Last7From, DateOnly Last7To, string Sort, int Offset, int Limit, int Total, ServiceRow[] Services);

public sealed record TenantSummary(
    string Tenant, DateTime AsOf, DateTime Month, DateTime RunningHour, decimal MonthToDateUsd, ForecastBand? Forecast, decimal? BudgetUsd,
    HourCost[] Last24Hours, ProviderFreshness[] Freshness, int Anomalies24h, AnomalyExplanation[] Anomalies, ServicePage TopServices,
    ForecastProgress ForecastServices);

public sealed record ServiceHour(DateTime Hour, decimal CostUsd, decimal? ExpectedUsd);

public sealed record LabeledCost(string Label, decimal CostUsd);

public sealed record SharedShare(decimal TotalUsd, decimal SharedUsd, LabeledCost[] Clusters);

public sealed record ServiceDetail(
    string Tenant, string ServiceName, DateTime AsOf, DateTime RunningHour, decimal MonthToDateUsd, decimal? BudgetUsd, ForecastBand? Forecast,
    ServiceHour[] Hours, AnomalyExplanation[] Anomalies, LabeledCost[] ByType, LabeledCost[] ByProvider, SharedShare Shared);

public sealed record ClusterRow(string Cluster, decimal Last24HoursUsd, DateTime LatestHour, int Services);
