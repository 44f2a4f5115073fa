using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Persistence;

/// <summary>
/// Where changed buckets go. <see cref="Enqueue"/> never blocks a grain: the store coalesces
/// changes per bucket (the newest absolute value wins) and writes them in batches within seconds.
/// </summary>
public interface IBucketStore
{
    void Enqueue(string tenant, string serviceName, IReadOnlyList<BucketUpdate> changed);

    /// <summary>The service's buckets since <paramref name="since"/>, including changes not yet written.</summary>
    Task<IReadOnlyList<BucketUpdate>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken);

    /// <summary>Writes everything enqueued so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
