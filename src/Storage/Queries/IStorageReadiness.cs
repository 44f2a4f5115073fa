namespace CloudSentinel.Storage.Queries;

/// <summary>Whether the database answers, for /readyz; the in-memory mode has nothing to ask.</summary>
public interface IStorageReadiness
{
    /// <summary>Returns when storage answers; throws what it answered otherwise.</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
