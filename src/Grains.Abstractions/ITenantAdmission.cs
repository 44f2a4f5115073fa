namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// Which of a tenant's names may have a grain and series of their own, under the tenant's caps.
/// Ingest asks it before it folds the other names into the overflow; it is not a grain itself, so
/// the folding logic is plain code that a test can give any answer.
/// </summary>
public interface ITenantAdmission
{
    /// <summary>The names among <paramref name="services"/> that are, or now become, the tenant's own services.</summary>
    /// <exception cref="IngestUnavailableException">The admission cannot answer now; nothing was decided.</exception>
    Task<string[]> AdmitServicesAsync(string tenant, string[] services);

    /// <summary>The names among <paramref name="clusters"/> that are, or now become, the tenant's own clusters.</summary>
    /// <exception cref="IngestUnavailableException">The admission cannot answer now; nothing was decided.</exception>
    Task<string[]> AdmitClustersAsync(string tenant, string[] clusters);
}
