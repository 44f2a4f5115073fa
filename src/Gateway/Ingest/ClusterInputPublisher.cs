using CloudSentinel.Grains.Abstractions;
using Orleans.Runtime;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>Sends each (tenant, cluster)'s inputs of a request as one message to its cluster grain's stream.</summary>
public sealed class ClusterInputPublisher(IClusterClient client)
{
    private const int PublishConcurrency = 16;

    public async Task PublishAsync(IEnumerable<ClusterInputBatch> batches, CancellationToken cancellationToken)
    {
        var provider = client.GetStreamProvider(StreamNames.Provider);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = PublishConcurrency, CancellationToken = cancellationToken },
            async (batch, _) =>
            {
                var stream = provider.GetStream<ClusterInputBatch>(StreamId.Create(StreamNames.ClusterInputs, ServiceKey.Format(batch.Tenant, batch.Cluster)));
                await stream.OnNextAsync(batch);
            });
    }
}
