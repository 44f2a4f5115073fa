namespace CloudSentinel.Grains.Abstractions;

/// <summary>The admission that every host runs: each tenant's <see cref="ITenantCatalogGrain"/> decides.</summary>
public sealed class TenantCatalogAdmission(IGrainFactory grains) : ITenantAdmission
{
    public Task<string[]> AdmitServicesAsync(string tenant, string[] services) =>
        AskAsync(() => grains.GetGrain<ITenantCatalogGrain>(tenant).AdmitServices(services));

    public Task<string[]> AdmitClustersAsync(string tenant, string[] clusters) =>
        AskAsync(() => grains.GetGrain<ITenantCatalogGrain>(tenant).AdmitClusters(clusters));

    /// <summary>
    /// A catalog that cannot answer (no silo reachable, or its first load from PostgreSQL failing) is
    /// a passing outage like the journal's: 503 with Retry-After, nothing applied, never a 500.
    /// </summary>
    private static async Task<string[]> AskAsync(Func<Task<string[]>> ask)
    {
        try
        {
            return await ask();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IngestUnavailableException($"the tenant's service catalog cannot answer now ({ex.GetType().Name}: {ex.Message}); nothing from the request was applied", ex);
        }
    }
}
