using CloudSentinel.Grains.Abstractions;
using Orleans.Runtime;
using Orleans.Streams;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Folds valid records into absolute hourly buckets and publishes one <see cref="CostBatch"/> per
/// (tenant, service) on the cost stream. The gateway (HTTP, FOCUS files) and the poller grains both
/// publish through here, so every source produces exactly the same buckets for the same records.
/// </summary>
public static class CostPublisher
{
    private const int PublishConcurrency = 64;

    public static async Task<PublishedCosts> PublishAsync(IStreamProvider streams, IEnumerable<CostRecord> records, CancellationToken cancellationToken)
    {
        var aggregator = new BucketAggregator();
        foreach (var record in records) aggregator.Add(record);
        await Parallel.ForEachAsync(aggregator.Batches(), new ParallelOptions { MaxDegreeOfParallelism = PublishConcurrency, CancellationToken = cancellationToken },
            async (batch, _) =>
            {
                var stream = streams.GetStream<CostBatch>(StreamId.Create(StreamNames.ServiceCosts, ServiceKey.Format(batch.Tenant, batch.ServiceName)));
                await stream.OnNextAsync(batch);
            });
        return new PublishedCosts(aggregator.RecordCount, aggregator.ServiceCount, aggregator.BucketCount);
    }
}

/// <summary>What one publish sent: records folded, services reached, hourly buckets written.</summary>
public sealed record PublishedCosts(int Records, int Services, int Buckets);
