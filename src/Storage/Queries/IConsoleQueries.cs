namespace CloudSentinel.Storage.Queries;

/// <summary>
/// What the console is drawn from: tenants, a tenant's summary, its ranked services and clusters, and one
/// service's hours and outlook. The service's expected line is the gateway's to compute (the anomaly
/// detector is not storage), so its history comes back as rows.
/// </summary>
public interface IConsoleQueries
{
    /// <summary>The largest page of services one request may ask for.</summary>
    const int MaxPageSize = 200;

    /// <summary>How far back the service page and the freshness look: the grains' retention.</summary>
    static readonly TimeSpan History = TimeSpan.FromDays(35);

    Task<string[]> TenantsAsync(CancellationToken cancellationToken);

    Task<TenantSummary> SummaryAsync(string tenant, CancellationToken cancellationToken);

    Task<ServicePage> ServicesAsync(string tenant, string? search, string sort, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>The service's buckets in [<paramref name="from"/>, <paramref name="to"/>), and its first hour ever.</summary>
    Task<ServiceHistory> ServiceHistoryAsync(string tenant, string service, DateTime from, DateTime to, CancellationToken cancellationToken);

    /// <summary>The service's budget, its forecast for <paramref name="month"/> and its anomalies since <paramref name="anomaliesSince"/>.</summary>
    Task<ServiceOutlook> ServiceOutlookAsync(string tenant, string service, DateTime month, DateTime anomaliesSince, CancellationToken cancellationToken);

    Task<ClusterRow[]> ClustersAsync(string tenant, CancellationToken cancellationToken);
}
