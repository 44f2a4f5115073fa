using System.Threading.RateLimiting;
using Npgsql;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// One tenant's token bucket, kept in PostgreSQL (ingest_rate_buckets) so that every gateway takes
/// from the same one: a tenant gets its rate once, not once per gateway. A request refills the bucket
/// by the time since it was last touched and takes a token in one upsert (the row lock orders
/// gateways); a refusal reads how long until the next token for Retry-After, in the same round trip.
/// When PostgreSQL cannot answer, the request goes on: ingest then answers the outage itself.
/// </summary>
public sealed class PostgresTokenBucketLimiter(NpgsqlDataSource dataSource, string tenant, int burst, int perSecond, ILogger logger) : RateLimiter
{
    private long _lastUsedTicks = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>Never decided without asking PostgreSQL; the middleware then calls <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => permitCount == 0 ? Lease.Granted : Lease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        if (permitCount == 0) return Lease.Granted;
        try
        {
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO ingest_rate_buckets AS b (tenant_id, tokens, refilled_at)
                VALUES ($1, $2::float8 - $4, clock_timestamp())
                ON CONFLICT (tenant_id) DO UPDATE
                SET tokens = least($2::float8, b.tokens + $3 * extract(epoch FROM EXCLUDED.refilled_at - b.refilled_at)::float8) - $4,
                    refilled_at = EXCLUDED.refilled_at
                WHERE least($2::float8, b.tokens + $3 * extract(epoch FROM EXCLUDED.refilled_at - b.refilled_at)::float8) >= $4
                RETURNING tokens
                """) { Parameters = { new() { Value = tenant }, new() { Value = (double)burst }, new() { Value = (double)perSecond }, new() { Value = (double)permitCount } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                SELECT least($2::float8, tokens + $3 * extract(epoch FROM clock_timestamp() - refilled_at)::float8) FROM ingest_rate_buckets WHERE tenant_id = $1
                """) { Parameters = { new() { Value = tenant }, new() { Value = (double)burst }, new() { Value = (double)perSecond } } });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)) return Lease.Granted;
            await reader.NextResultAsync(cancellationToken);
            var available = await reader.ReadAsync(cancellationToken) ? reader.GetDouble(0) : 0;
            return new Lease(false, TimeSpan.FromSeconds(Math.Max(0, permitCount - available) / perSecond));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
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
