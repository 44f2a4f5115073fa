namespace CloudSentinel.Grains.Abstractions;

/// <summary>One grain per (tenant, service), key "tenant/service".</summary>
public interface IServiceCostGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes ingest request <paramref name="sequence"/> (0 without the ingest log) into memory: its
    /// buckets are already committed (the gateway merged them into service_costs in the request's
    /// transaction; in the in-memory mode, into the silo's memory store). Buckets last written by a
    /// newer request are left alone.
    /// </summary>
    Task Apply(CostBatch batch, long sequence);

    Task<ServiceCostView> GetView();

    /// <summary>The monthly budget the tenant's budget grain holds for this service (null: none).</summary>
    Task SetBudget(decimal? monthlyUsd);
}

/// <summary>A service's rolling windows and anomaly state at one moment. Amounts in USD.</summary>
[GenerateSerializer, Immutable, Alias("service-cost-view")]
public sealed record ServiceCostView(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string ServiceName,
    [property: Id(2)] DateTime? LatestHour,
    [property: Id(3)] decimal LatestHourUsd,
    [property: Id(4)] decimal RunningHourUsd,
    [property: Id(5)] decimal Last24HoursUsd,
    [property: Id(6)] decimal Last7DaysUsd,
    [property: Id(7)] decimal Last30DaysUsd,
    [property: Id(8)] decimal MonthToDateUsd,
    [property: Id(9)] double? ZScore,
    [property: Id(10)] int BucketCount,
    [property: Id(11)] decimal? ExpectedUsd = null,
    [property: Id(12)] decimal? BudgetUsd = null,
    [property: Id(13)] decimal? ForecastMonthUsd = null);
