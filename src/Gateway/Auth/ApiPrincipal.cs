namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Who a bearer token speaks for: the admin (every tenant, token management) or one tenant with roles.
/// <paramref name="ViaSession"/>: a console session cookie, not a bearer token (read only, never admin-only endpoints).
/// </summary>
public sealed record ApiPrincipal(string TokenId, string? Tenant, IReadOnlySet<string> Roles, bool ViaSession = false)
{
    public const string IngestRole = "ingest";
    public const string ReadRole = "read";

    public static readonly IReadOnlySet<string> AllRoles = new HashSet<string>([IngestRole, ReadRole], StringComparer.Ordinal);

    public static ApiPrincipal Admin { get; } = new("admin", null, AllRoles);

    public bool IsAdmin => Tenant is null;

    /// <summary>Null when the principal may act with <paramref name="role"/> on <paramref name="tenant"/>, else why not.</summary>
    public string? Refusal(string? tenant, string role)
    {
        if (!Roles.Contains(role)) return $"the token has no '{role}' role";
        if (IsAdmin || tenant is null || tenant == Tenant) return null;
        return $"the token is for tenant '{Tenant}', not '{tenant}'";
    }
}
