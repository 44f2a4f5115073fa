namespace CloudSentinel.Gateway.Auth;

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

/// <summary>A tenant token as stored: its hash, never the token.</summary>
public sealed record StoredToken(string Id, string Tenant, string[] Roles, byte[] Hash, DateTime CreatedAt);
