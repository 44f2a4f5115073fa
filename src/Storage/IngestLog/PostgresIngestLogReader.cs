using CloudSentinel.Ingestion.Backpressure;
using Npgsql;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// One look at ingest_log for backpressure: the oldest first-delivery message by the primary key (the
/// log is drained in sequence order, so this reads a few index entries), the backlog by count (bounded
/// by the cap), and the sequence.
/// </summary>
public sealed class PostgresIngestLogReader(NpgsqlDataSource dataSource) : IIngestLogReader
{
    public async Task<IngestLogReading> ReadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT clock_timestamp(),
                   (SELECT count(*) FROM ingest_log),
                   coalesce((SELECT extract(epoch FROM clock_timestamp() - enqueued_at)::float8
                             FROM ingest_log WHERE attempts = 0 ORDER BY seq LIMIT 1), 0),
                   coalesce(pg_sequence_last_value(pg_get_serial_sequence('ingest_log', 'seq')::regclass), 0)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new IngestLogReading(reader.GetDateTime(0), reader.GetInt64(1), Math.Max(0, reader.GetDouble(2)), reader.GetInt64(3));
    }
}
