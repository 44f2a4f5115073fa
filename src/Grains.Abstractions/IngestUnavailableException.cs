namespace CloudSentinel.Grains.Abstractions;

/// <summary>The ingest log (or the database behind it) cannot take a request now; nothing of it was applied. Retry later.</summary>
public sealed class IngestUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What the API puts in Retry-After.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
}
