namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Section "Auth". The admin token comes from configuration or the environment (Auth__AdminToken);
/// <c>./run.sh</c> generates one into .run/admin.token. Tenant tokens live, hashed, in PostgreSQL.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public const int MinAdminTokenLength = 32;

    public string? AdminToken { get; set; }

    /// <summary>How long a gateway trusts its cached answer for a tenant token; a revoked token is refused on every gateway after at most this long.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);

    public AuthOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(AdminToken))
        {
            throw new ArgumentException("Auth:AdminToken is not set: every /api/cloudsentinel endpoint needs a bearer token. " +
                                        "Set Auth__AdminToken to a random string of at least 32 characters (./run.sh writes one to .run/admin.token)");
        }

        if (AdminToken.Length < MinAdminTokenLength) throw new ArgumentException($"Auth:AdminToken must be at least {MinAdminTokenLength} characters");
        if (CacheFor < TimeSpan.Zero || CacheFor > TimeSpan.FromMinutes(1)) throw new ArgumentException("Auth:CacheFor must be between 0 and 1 minute");
        return this;
    }
}
