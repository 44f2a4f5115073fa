namespace CloudSentinel.Storage.Queries;

/// <summary>The ingest log as operators watch it; read every few seconds, never on a scrape.</summary>
public interface IIngestLogQueries
{
    /// <summary>The log's depth now, or null when the database returned no row.</summary>
    Task<IngestLogDepth?> DepthAsync(CancellationToken cancellationToken);
}
