namespace CloudSentinel.Storage.Queries;

/// <summary>Tenant tokens: created, listed (never their secrets), revoked, and looked up by id.</summary>
public interface ITokenStore
{
    Task CreateAsync(StoredToken token, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredToken>> ListAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>False when there is no such token (or it was already revoked).</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken);

    /// <summary>The token with this id unless revoked.</summary>
    Task<StoredToken?> FindAsync(string id, CancellationToken cancellationToken);
}
