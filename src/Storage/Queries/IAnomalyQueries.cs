namespace CloudSentinel.Storage.Queries;

/// <summary>The anomaly history the grains recorded, for the anomalies API.</summary>
public interface IAnomalyQueries
{
    /// <summary>The tenant's anomalous hours in [<paramref name="from"/>, <paramref name="to"/>), newest first, of one service when named; at most 10,000.</summary>
    Task<IReadOnlyList<RecordedAnomaly>> ListAsync(string tenant, DateTime from, DateTime to, string? service, CancellationToken cancellationToken);
}
