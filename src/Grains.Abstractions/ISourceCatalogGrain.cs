namespace CloudSentinel.Grains.Abstractions;

/// <summary>Every configured source's status, for the gateway's status endpoint and gauges.</summary>
public interface ISourceCatalogGrain : IGrainWithIntegerKey
{
    Task<SourceStatus[]> GetStatuses();
}
