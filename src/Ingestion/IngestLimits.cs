namespace CloudSentinel.Ingestion;

/// <summary>Bounds on what one ingest request may contain. Bound from configuration section "Ingest".</summary>
public sealed class IngestLimits
{
    public const string Section = "Ingest";

    /// <summary>Most records in one request.</summary>
    public int MaxRecords { get; set; } = 50_000;

    /// <summary>Largest request body in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>How far into the future a charge period may start (clock skew, running hour).</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How far back a charge period may start: a guard against a wrong year, not a retention. The
    /// default, 1,130 days, takes three whole years of history plus the running month (36 months are
    /// at most 1,097 days, the running month at most 31 more), so a three-year backfill loads.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(DefaultMaxAgeDays);

    public const int DefaultMaxAgeDays = 1130;

    /// <summary>Longest charge period; longer ones are almost always a unit mistake.</summary>
    public TimeSpan MaxPeriod { get; set; } = TimeSpan.FromDays(31);

    /// <summary>Largest absolute amount of one record in USD.</summary>
    public decimal MaxAbsCostUsd { get; set; } = 1_000_000_000m;

    /// <summary>How many errors a rejection lists (the count of all errors is always given).</summary>
    public int MaxReportedErrors { get; set; } = 100;

    public void Validate()
    {
        if (MaxRecords <= 0) throw new ArgumentException("Ingest:MaxRecords must be positive");
        if (MaxBodyBytes <= 0) throw new ArgumentException("Ingest:MaxBodyBytes must be positive");
        if (MaxAge <= TimeSpan.Zero) throw new ArgumentException("Ingest:MaxAge must be positive");
        if (MaxPeriod <= TimeSpan.Zero) throw new ArgumentException("Ingest:MaxPeriod must be positive");
        if (MaxAbsCostUsd <= 0) throw new ArgumentException("Ingest:MaxAbsCostUsd must be positive");
    }
}
