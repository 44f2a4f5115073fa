namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// When ingest pushes back. Section "Backpressure". The bound is on the apply lag (how long the oldest
/// acknowledged message has waited for its grain) and on the log's length, so that "seconds after the
/// data arrives" stays true and the log's disk use has a ceiling.
/// </summary>
public sealed class BackpressureOptions
{
    public const string Section = "Backpressure";

    public bool Enabled { get; set; } = true;

    /// <summary>Past this apply lag, ingest answers 503 with Retry-After until the silos catch up.</summary>
    public double MaxApplyLagSeconds { get; set; } = 30;

    /// <summary>
    /// The cap on messages waiting in ingest_log. A request is refused when the backlog, plus what
    /// arrives before the next reading, would reach it.
    /// </summary>
    public long MaxBacklogMessages { get; set; } = 200_000;

    /// <summary>How old a reading of the log may be; every gateway and silo reads PostgreSQL at most this often.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After given (also the one given while nothing drains at all).</summary>
    public int MaxRetryAfterSeconds { get; set; } = 30;

    public BackpressureOptions Validate()
    {
        if (MaxApplyLagSeconds is < 1 or > 86_400) throw new ArgumentException("Backpressure:MaxApplyLagSeconds must be 1 to 86400");
        if (MaxBacklogMessages < 100) throw new ArgumentException("Backpressure:MaxBacklogMessages must be at least 100");
        if (RefreshInterval < TimeSpan.FromMilliseconds(100) || RefreshInterval > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentException("Backpressure:RefreshInterval must be between 0.1 and 30 seconds");
        }

        if (MaxRetryAfterSeconds is < 1 or > 3_600) throw new ArgumentException("Backpressure:MaxRetryAfterSeconds must be 1 to 3600");
        return this;
    }
}
