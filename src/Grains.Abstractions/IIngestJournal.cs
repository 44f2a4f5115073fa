namespace CloudSentinel.Grains.Abstractions;

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
