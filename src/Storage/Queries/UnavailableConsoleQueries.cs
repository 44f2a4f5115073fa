namespace CloudSentinel.Storage.Queries;

/// <summary>The console's reads in the in-memory mode: every one answers 503, since only PostgreSQL holds what the console shows.</summary>
public sealed class UnavailableConsoleQueries : IConsoleQueries
{
    private static Task<T> Refuse<T>() => Task.FromException<T>(new StorageUnavailableException("the console reads PostgreSQL; set ConnectionStrings__Postgres on the gateway"));

    public Task<string[]> TenantsAsync(CancellationToken cancellationToken) => Refuse<string[]>();

    public Task<TenantSummary> SummaryAsync(string tenant, CancellationToken cancellationToken) => Refuse<TenantSummary>();

    public Task<ServicePage> ServicesAsync(string tenant, string? search, string sort, int offset, int limit, CancellationToken cancellationToken) => Refuse<ServicePage>();

    public Task<ServiceHistory> ServiceHistoryAsync(string tenant, string service, DateTime from, DateTime to, CancellationToken cancellationToken) => Refuse<ServiceHistory>();

    public Task<ServiceOutlook> ServiceOutlookAsync(string tenant, string service, DateTime month, DateTime anomaliesSince, CancellationToken cancellationToken) =>
        Refuse<ServiceOutlook>();

    public Task<ClusterRow[]> ClustersAsync(string tenant, CancellationToken cancellationToken) => Refuse<ClusterRow[]>();
}
