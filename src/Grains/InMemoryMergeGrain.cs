using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Orleans.Concurrency;

namespace CloudSentinel.Grains;

/// <summary>Writes a batch into the silo's <see cref="InMemoryBucketStore"/>; one per silo core, any may take any batch.</summary>
[StatelessWorker]
public sealed class InMemoryMergeGrain(InMemoryBucketStore store) : Grain, IInMemoryMergeGrain
{
    public Task Merge(CostBatch batch)
    {
        store.Merge(batch.Tenant, batch.ServiceName, batch.Updates, 0);
        return Task.CompletedTask;
    }
}
