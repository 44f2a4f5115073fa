using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// The buckets in <c>ingest_rate_buckets</c>: one upsert refills the bucket by the time since it was last
/// touched and takes the permits (the row lock orders gateways); a refusal reads how long until the next
/// token in the same round trip.
/// </summary>
public sealed class PostgresIngestRateBuckets(NpgsqlDataSource dataSource) : IIngestRateBuckets
{
    public async Task<RateBucketTake> TakeAsync(string tenant, int burst, int perSecond, int permits, CancellationToken cancellationToken)
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
            """) { Parameters = { new() { Value = tenant }, new() { Value = (double)burst }, new() { Value = (double)perSecond }, new() { Value = (double)permits } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT least($2::float8, tokens + $3 * extract(epoch FROM clock_timestamp() - refilled_at)::float8) FROM ingest_rate_buckets WHERE tenant_id = $1
            """) { Parameters = { new() { Value = tenant }, new() { Value = (double)burst }, new() { Value = (double)perSecond } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken)) return new RateBucketTake(true, 0);
        await reader.NextResultAsync(cancellationToken);
        return new RateBucketTake(false, await reader.ReadAsync(cancellationToken) ? reader.GetDouble(0) : 0);
    }
}
