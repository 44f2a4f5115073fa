namespace CloudSentinel.Storage.Queries;

/// <summary>The anomaly history in the in-memory mode: 503, since the grains record anomalies in PostgreSQL only.</summary>
public sealed class UnavailableAnomalyQueries : IAnomalyQueries
{
    public Task<IReadOnlyList<RecordedAnomaly>> ListAsync(string tenant, DateTime from, DateTime to, string? service, CancellationToken cancellationToken) =>
        Task.FromException<IReadOnlyList<RecordedAnomaly>>(
            new StorageUnavailableException("anomaly history is kept in PostgreSQL; set ConnectionStrings__Postgres on the gateway"));
}
