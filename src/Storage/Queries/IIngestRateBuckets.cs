namespace CloudSentinel.Storage.Queries;

/// <summary>Per-tenant token buckets shared by every gateway, so that a tenant gets its ingest rate once, not once per gateway.</summary>
public interface IIngestRateBuckets
{
    /// <summary>
    /// Refills the tenant's bucket (at most <paramref name="burst"/>, <paramref name="perSecond"/> a second since it was last
    /// touched) and takes <paramref name="permits"/> when it holds that many; otherwise says how many it holds.
    /// </summary>
    Task<RateBucketTake> TakeAsync(string tenant, int burst, int perSecond, int permits, CancellationToken cancellationToken);
}
