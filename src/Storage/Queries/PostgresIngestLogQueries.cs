using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>Counts <c>ingest_log</c> and <c>ingest_dead_letters</c> in one round trip.</summary>
public sealed class PostgresIngestLogQueries(NpgsqlDataSource dataSource) : IIngestLogQueries
{
    public async Task<IngestLogDepth?> DepthAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM ingest_log),
                   (SELECT coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::float8 FROM ingest_log),
                   (SELECT count(*) FROM ingest_dead_letters)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new IngestLogDepth(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2));
    }
}
