using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion.Journal;

/// <summary>
/// Where validated ingest messages go. <see cref="AppendAsync"/> returns only once the call's
/// buckets are stored (merged into service_costs, or without PostgreSQL into the silo's memory
/// store) and its grains are notified durably (or, without PostgreSQL, have taken it), and applies
/// all of it or none.
/// </summary>
public interface IIngestJournal
{
    /// <exception cref="IngestUnavailableException">The log cannot take the messages now; nothing was appended.</exception>
    /// <exception cref="IngestRefusedException">The database refused the messages' data; nothing was appended, and retrying cannot help.</exception>
    Task AppendAsync(IReadOnlyCollection<CostBatch> costs, IReadOnlyCollection<ClusterInputBatch> clusters, CancellationToken cancellationToken);
}

/// <summary>The ingest log (or the database behind it) cannot take a request now; nothing of it was applied. Retry later.</summary>
public sealed class IngestUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What the API puts in Retry-After.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
}

/// <summary>The database refused a request's data (e.g. a value its text type cannot hold); nothing of it was applied.</summary>
public sealed class IngestRefusedException(string message, Exception? inner = null) : Exception(message, inner);
