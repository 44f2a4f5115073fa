namespace CloudSentinel.Grains.Abstractions.Persistence;

/// <summary>
/// Where a service grain's buckets are read back from when it activates. Grains never write
/// buckets: the ingest journal merges them before a grain hears of them (issue 20).
/// </summary>
public interface IBucketStore
{
    /// <summary>The service's buckets since <paramref name="since"/>, with the sequence that wrote each.</summary>
    Task<IReadOnlyList<StoredBucket>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken);

    /// <summary>The tenant's distinct service names with stored buckets (the overflow service left out).</summary>
    Task<IReadOnlyList<string>> LoadServiceNamesAsync(string tenant, CancellationToken cancellationToken);
}

/// <summary>A bucket as stored: its amount and the ingest sequence that wrote it (0: before the ingest log).</summary>
public readonly record struct StoredBucket(BucketKey Key, BucketAmount Amount, long Sequence);

/// <summary>A bucket's amount and the ingest sequence that wrote it.</summary>
public readonly record struct SequencedAmount(BucketAmount Amount, long Sequence);
