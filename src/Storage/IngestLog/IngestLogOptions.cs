namespace CloudSentinel.Storage.IngestLog;

/// <summary>How a silo drains the ingest log. Section "IngestLog".</summary>
public sealed class IngestLogOptions
{
    public const string Section = "IngestLog";

    /// <summary>
    /// Failed deliveries before a message is moved to ingest_dead_letters. Retries back off 1, 2, 4 ... 60 s,
    /// so the default gives a message about three minutes; a database outage or a dead silo does not use
    /// attempts up (nothing is claimed while PostgreSQL is down; a dead silo's rows are simply released).
    /// </summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Messages claimed per round.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Grain deliveries in flight per silo. As many as a round claims, so that all of a round's
    /// bucket writes share one commit of the store instead of waiting for several in turn.
    /// </summary>
    public int Concurrency { get; set; } = 512;

    /// <summary>
    /// Rounds a silo runs at once, each in its own transaction (SKIP LOCKED keeps them on different
    /// rows). With several, the next round is claimed and delivered while the last one's writes commit,
    /// so the store always has a batch to write. Order between rounds does not matter: a message
    /// older than what a bucket holds changes nothing. Unset: 4, or half of Postgres:MaxPoolSize when
    /// that is less.
    /// </summary>
    public int? Rounds { get; set; }

    /// <summary>The longest wait between polls of an empty log.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks the values, and that the rounds leave the writers connections of the process's pool.</summary>
    public IngestLogOptions Validate(int maxPoolSize)
    {
        if (MaxAttempts < 1) throw new ArgumentException("IngestLog:MaxAttempts must be at least 1");
        if (BatchSize is < 1 or > 10_000) throw new ArgumentException("IngestLog:BatchSize must be 1 to 10000");
        if (Concurrency is < 1 or > 4_096) throw new ArgumentException("IngestLog:Concurrency must be 1 to 4096");
        // A round holds its connection while its grains wait for the store's writes, which need connections too.
        var mostRounds = Math.Max(1, maxPoolSize / 2);
        Rounds ??= Math.Min(4, mostRounds);
        if (Rounds < 1 || Rounds > mostRounds)
        {
            throw new ArgumentException($"IngestLog:Rounds must be 1 to {mostRounds}: half of Postgres:MaxPoolSize ({maxPoolSize}), so that the writers always get a connection");
        }

        if (IdlePoll <= TimeSpan.Zero || IdlePoll > TimeSpan.FromSeconds(10)) throw new ArgumentException("IngestLog:IdlePoll must be between 0 and 10 seconds");
        return this;
    }
}
