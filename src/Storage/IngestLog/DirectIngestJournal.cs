using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// The journal of the in-memory mode (no PostgreSQL): merges each message into the silo's memory
/// store, then hands it to its grain, and returns when every grain has taken it. Nothing survives a
/// silo restart in that mode anyway.
/// </summary>
public sealed class DirectIngestJournal(IGrainFactory grains) : IIngestJournal
{
    private const int Concurrency = 64;

    public async Task AppendAsync(IReadOnlyCollection<CostBatch> costs, IReadOnlyCollection<ClusterInputBatch> clusters, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };
        await Parallel.ForEachAsync(costs.SelectMany(MessageChunks.Split), options, async (batch, _) =>
        {
            await grains.GetGrain<IInMemoryMergeGrain>(0).Merge(batch);
            await grains.GetGrain<IServiceCostGrain>(ServiceKey.Format(batch.Tenant, batch.ServiceName)).Apply(batch, 0);
        });
        await Parallel.ForEachAsync(clusters.SelectMany(MessageChunks.Split), options, async (batch, _) =>
            await grains.GetGrain<IClusterAllocationGrain>(ServiceKey.Format(batch.Tenant, batch.Cluster)).Apply(batch, 0));
    }
}
