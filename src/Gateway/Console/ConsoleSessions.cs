using System.Collections.Concurrent;
using System.Security.Cryptography;
using CloudSentinel.Gateway.Auth;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Console;

/// <summary>
/// One-time login links and the console sessions they open, in this gateway's memory: with several
/// gateways a user logs in per gateway, and a restart logs everyone out (docs/security.md). Both are
/// 256 random bits; only their SHA-256 is kept, as for tokens. A session reads only: it is honoured for
/// GET requests and carries the read role alone, so every write still needs a bearer token.
/// </summary>
public sealed class ConsoleSessions(IOptions<ConsoleOptions> options, TimeProvider clock)
{
    public const string CookieName = "cs_session";

    private readonly ConcurrentDictionary<string, Grant> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Grant> _sessions = new(StringComparer.Ordinal);

    /// <summary>Who a link or session speaks for: the admin (tenant null) or one tenant, and the tenant token it came from, if any.</summary>
    public sealed record Grant(string? Tenant, string? TokenId, DateTimeOffset Expires);

    public ConsoleOptions Options => options.Value;

    /// <summary>A login link code for the admin (<paramref name="tenant"/> null) or one tenant; null when the gateway holds too many.</summary>
    public (string Code, DateTimeOffset Expires)? CreateLink(string? tenant) =>
        Add(_links, new Grant(tenant, null, clock.GetUtcNow() + options.Value.LoginLinkLifetime));

    /// <summary>Uses up a link: the grant it carried, or null when it is unknown, used or expired.</summary>
    public Grant? Redeem(string code) =>
        _links.TryRemove(Key(code), out var grant) && grant.Expires > clock.GetUtcNow() ? grant : null;

    /// <summary>Opens a session for the principal of a link or a pasted token; null when the gateway holds too many.</summary>
    public (string Id, DateTimeOffset Expires)? Open(string? tenant, string? tokenId) =>
        Add(_sessions, new Grant(tenant, tokenId, clock.GetUtcNow() + options.Value.SessionLifetime));

    public Grant? Find(string sessionId)
    {
        if (!_sessions.TryGetValue(Key(sessionId), out var grant)) return null;
        if (grant.Expires > clock.GetUtcNow()) return grant;
        _sessions.TryRemove(Key(sessionId), out _);
        return null;
    }

    public void Close(string sessionId) => _sessions.TryRemove(Key(sessionId), out _);

    /// <summary>The session principal: read role only, and marked as a session so admin-only endpoints refuse it.</summary>
    public static ApiPrincipal Principal(Grant grant) =>
        new(grant.TokenId ?? (grant.Tenant is null ? "admin-session" : "link-session"), grant.Tenant, ReadOnly, ViaSession: true);

    private static readonly IReadOnlySet<string> ReadOnly = new HashSet<string>([ApiPrincipal.ReadRole], StringComparer.Ordinal);

    private (string Secret, DateTimeOffset Expires)? Add(ConcurrentDictionary<string, Grant> into, Grant grant)
    {
        if (into.Count >= options.Value.MaxSessions) RemoveExpired(into);
        if (into.Count >= options.Value.MaxSessions) return null;
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        into[Key(secret)] = grant;
        return (secret, grant.Expires);
    }

    private void RemoveExpired(ConcurrentDictionary<string, Grant> from)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, grant) in from)
        {
            if (grant.Expires <= now) from.TryRemove(key, out _);
        }
    }

    private static string Key(string secret) => Convert.ToHexStringLower(ApiTokens.Hash(secret));
}
