namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// What a service grain reports for the gateway's gauges: everything a scrape needs, so that a
/// scrape never has to reach a grain. Amounts are USD; "latest hour" is the most recent ended hour with data.
/// <see cref="AnomalyImpactUsd"/> is |actual − expected| of the latest hour when its verdict flags it, null
/// otherwise; <see cref="ForecastComputed"/> is false while the service has too little history for a
/// forecast (the forecast is then only its month to date), so tenant totals can say they are incomplete.
/// </summary>
[GenerateSerializer, Immutable, Alias("service-snapshot")]
public sealed record ServiceSnapshot(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string ServiceName,
    [property: Id(2)] DateTime? LatestHour,
    [property: Id(3)] CostLine[] LatestHourCosts,
    [property: Id(4)] decimal CpuCostUsd,
    [property: Id(5)] decimal MemoryCostUsd,
    [property: Id(6)] LabeledAmount[] StorageByType,
    [property: Id(7)] LabeledAmount[] NetworkByDirection,
    [property: Id(8)] decimal CurrentHourUsd,
    [property: Id(9)] decimal MonthToDateUsd,
    [property: Id(10)] LabeledHour[] LatestHourByProvider,
    [property: Id(11)] decimal? BudgetUsd = null,
    [property: Id(12)] decimal? ForecastMonthUsd = null,
    [property: Id(13)] decimal? ExpectedUsd = null,
    [property: Id(14)] double? ZScore = null,
    [property: Id(15)] decimal? AnomalyImpactUsd = null,
    [property: Id(16)] bool ForecastComputed = false)
{
    public string Key => ServiceKey.Format(Tenant, ServiceName);
}

/// <summary>Cost of one (cost_type, cloud_provider) pair in the latest hour.</summary>
[GenerateSerializer, Immutable, Alias("cost-line")]
public readonly record struct CostLine(
    [property: Id(0)] string CostType,
    [property: Id(1)] string Provider,
    [property: Id(2)] decimal CostUsd);

[GenerateSerializer, Immutable, Alias("labeled-amount")]
public readonly record struct LabeledAmount(
    [property: Id(0)] string Label,
    [property: Id(1)] decimal CostUsd);

[GenerateSerializer, Immutable, Alias("labeled-hour")]
public readonly record struct LabeledHour(
    [property: Id(0)] string Label,
    [property: Id(1)] DateTime Hour);
