using CloudSentinel.Grains.Abstractions;
using Orleans.Concurrency;

namespace CloudSentinel.Sources;

/// <summary>
/// Lists every configured source with its poller's status. Sources are few, so asking each poller is
/// cheap; a stateless worker answers on whichever silo the caller reaches.
/// </summary>
[StatelessWorker]
public sealed class SourceCatalogGrain(SourcesOptions options) : Grain, ISourceCatalogGrain
{
    public async Task<SourceStatus[]> GetStatuses() =>
        await Task.WhenAll(options.Sources.Select(s => GrainFactory.GetGrain<ICostSourcePollerGrain>(s.Key).GetStatus()));
}
