namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// Whether ingest takes a request now; when not, the <paramref name="Cause"/> ("lag" or "cap", the
/// label of the refusals counter), the reason a client reads, and when to try again.
/// </summary>
public sealed record IngestPressure(bool Refuse, TimeSpan RetryAfter, string? Cause, string? Reason)
{
    public const string LagCause = "lag";
    public const string CapCause = "cap";

    public static readonly IngestPressure None = new(false, TimeSpan.Zero, null, null);
}
