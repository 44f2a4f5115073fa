namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// Takes one <see cref="IngestLogReading"/> of the ingest log, which every gateway and silo reads
/// alike; <see cref="IngestBackpressure"/> decides from it. The in-memory mode has no log and no reader.
/// </summary>
public interface IIngestLogReader
{
    /// <exception cref="System.Data.Common.DbException">The database cannot be read now.</exception>
    Task<IngestLogReading> ReadAsync(CancellationToken cancellationToken);
}
