using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Persistence;

/// <summary>
/// Where a service grain's buckets go. <see cref="WriteAsync"/> completes once the buckets are
/// committed: the grain acknowledges an ingest message only then. The store batches the writes of
/// many grains into one transaction, and a bucket row is only replaced by a write whose
/// <c>sequence</c> is not older than the one that wrote it.
/// </summary>
public interface IBucketStore
{
    /// <summary>Writes <paramref name="buckets"/> as written by ingest message <paramref name="sequence"/>; faults with the reason when the database refuses them.</summary>
    Task WriteAsync(string tenant, string serviceName, IReadOnlyList<BucketUpdate> buckets, long sequence);

    /// <summary>The service's buckets since <paramref name="since"/>, with the sequence that wrote each.</summary>
    Task<IReadOnlyList<StoredBucket>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken);

    /// <summary>The tenant's distinct service names with stored buckets (the overflow service left out).</summary>
    Task<IReadOnlyList<string>> LoadServiceNamesAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Writes everything enqueued so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>A bucket as stored: its amount and the ingest sequence that wrote it (0: before the ingest log).</summary>
public readonly record struct StoredBucket(BucketKey Key, BucketAmount Amount, long Sequence);

/// <summary>A pending bucket write: the amount and the ingest sequence it belongs to.</summary>
public readonly record struct SequencedAmount(BucketAmount Amount, long Sequence);
