using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion.Journal;

/// <summary>
/// Where validated ingest messages go. <see cref="AppendAsync"/> returns only once every message of
/// the call is durable (or, without PostgreSQL, applied), and applies all of them or none.
/// </summary>
public interface IIngestJournal
{
    /// <exception cref="IngestUnavailableException">The log cannot take the messages now; nothing was appended.</exception>
    Task AppendAsync(IReadOnlyCollection<CostBatch> costs, IReadOnlyCollection<ClusterInputBatch> clusters, CancellationToken cancellationToken);
}

/// <summary>The ingest log (or the database behind it) cannot take a request now; nothing of it was applied. Retry later.</summary>
public sealed class IngestUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What the API puts in Retry-After.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
}
