namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// One look at ingest_log, the same for every process because it comes from PostgreSQL.
/// <paramref name="Backlog"/>: messages waiting; <paramref name="ApplyLagSeconds"/>: age of the oldest
/// one that is on its first delivery (a message waiting out a retry backoff is the dead-letter path's
/// business, not a sign that the silos are behind); <paramref name="LastSequence"/>: the log's
/// sequence, so that arrivals between two readings are known.
/// </summary>
public sealed record IngestLogReading(DateTime At, long Backlog, double ApplyLagSeconds, long LastSequence);
