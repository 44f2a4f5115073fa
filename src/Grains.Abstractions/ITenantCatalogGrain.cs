using CloudSentinel.Core;

namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// One grain per tenant: the service names the tenant has, up to its cap. Ingest asks it which of a
/// request's names may have a grain and series of their own; the others are folded into
/// <see cref="CostVocabulary.OverflowService"/>, so no money is lost and memory stays bounded.
/// </summary>
public interface ITenantCatalogGrain : IGrainWithStringKey
{
    /// <summary>The names among <paramref name="services"/> that are, or now become, the tenant's own services.</summary>
    Task<string[]> AdmitServices(string[] services);

    /// <summary>The names among <paramref name="clusters"/> that are, or now become, the tenant's own clusters.</summary>
    Task<string[]> AdmitClusters(string[] clusters);
}
