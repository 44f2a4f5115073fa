using System.Data.Common;
using System.Threading.RateLimiting;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// One tenant's token bucket, kept in storage (<see cref="IIngestRateBuckets"/>, PostgreSQL's ingest_rate_buckets)
/// so that every gateway takes from the same one: a tenant gets its rate once, not once per gateway.
/// A refusal's Retry-After is how long until enough tokens, from what the bucket held.
/// When the database cannot answer, the request goes on: ingest then answers the outage itself.
/// </summary>
public sealed class SharedTokenBucketLimiter(IIngestRateBuckets buckets, string tenant, int burst, int perSecond, ILogger logger) : RateLimiter
{
    private long _lastUsedTicks = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>Never decided without asking storage; the middleware then calls <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => permitCount == 0 ? Lease.Granted : Lease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        if (permitCount == 0) return Lease.Granted;
        try
        {
            var take = await buckets.TakeAsync(tenant, burst, perSecond, permitCount, cancellationToken);
            return take.Taken ? Lease.Granted : new Lease(false, TimeSpan.FromSeconds(Math.Max(0, permitCount - take.Available) / perSecond));
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            logger.LogDebug("Rate limit of {Tenant} not checked: {Message}", tenant, ex.Message);
            return Lease.Granted;
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Undecided = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
