namespace CloudSentinel.Ingestion;

/// <summary>Where bucket descriptions (<see cref="BucketDetail"/>) are kept.</summary>
public interface IBucketDetailStore
{
    Task SaveAsync(IReadOnlyCollection<BucketDetail> details, CancellationToken cancellationToken);
}

/// <summary>The in-memory mode keeps no descriptions: their only reader, the FOCUS export, needs PostgreSQL.</summary>
public sealed class NoBucketDetails : IBucketDetailStore
{
    public Task SaveAsync(IReadOnlyCollection<BucketDetail> details, CancellationToken cancellationToken) => Task.CompletedTask;
}
