namespace CloudSentinel.Storage.Queries;

/// <summary>The in-memory mode keeps everything in the silos, so readiness asks nothing of a database.</summary>
public sealed class NoStorageReadiness : IStorageReadiness
{
    public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
