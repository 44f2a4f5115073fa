using CloudSentinel.Gateway.Console;
using CloudSentinel.Storage.Queries;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Every request under /api/cloudsentinel/ carries "Authorization: Bearer TOKEN" or gets 401; the
/// principal it resolves to is kept on the request for the endpoints' tenant and role checks.
/// Tenant tokens are looked up in the store and the answer cached for Auth:CacheFor, so a revoked
/// token is refused on every gateway within that time. Tokens never reach a log.
/// A GET or HEAD without the header may instead carry the console's session cookie: it reads with the
/// read role of the admin or tenant who logged in, and a session opened with a tenant token ends when
/// that token is revoked. Nothing else accepts the cookie, so a cross-site request can change nothing.
/// </summary>
public sealed class TokenAuthentication(
    ITokenStore store, IMemoryCache cache, IOptions<AuthOptions> options, ConsoleSessions sessions, ILogger<TokenAuthentication> logger)
{
    public const string ApiPrefix = "/api/cloudsentinel";

    private readonly byte[] _adminHash = ApiTokens.Hash(options.Value.AdminToken!);

    public async Task<ApiPrincipal?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        if (ApiTokens.Matches(_adminHash, token)) return ApiPrincipal.Admin;
        if (ApiTokens.IdOf(token) is not { } id) return null;

        var stored = await FindTokenAsync(id, cancellationToken);
        return stored is not null && ApiTokens.Matches(stored.Hash, token)
            ? new ApiPrincipal(stored.Id, stored.Tenant, new HashSet<string>(stored.Roles, StringComparer.Ordinal))
            : null;
    }

    /// <summary>The principal of a console session cookie, or null when the session is unknown, expired, or its tenant token was revoked.</summary>
    public async Task<ApiPrincipal?> ResolveSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (sessions.Find(sessionId) is not { } grant) return null;
        if (grant.TokenId is { } tokenId && await FindTokenAsync(tokenId, cancellationToken) is null)
        {
            sessions.Close(sessionId);
            return null;
        }

        return ConsoleSessions.Principal(grant);
    }

    private async Task<StoredToken?> FindTokenAsync(string id, CancellationToken cancellationToken)
    {
        var key = "token:" + id;
        if (!cache.TryGetValue(key, out StoredToken? stored))
        {
            stored = await store.FindAsync(id, cancellationToken);
            // Auth:CacheFor = 0 means no caching (the memory cache refuses a zero lifetime).
            if (options.Value.CacheFor > TimeSpan.Zero) cache.Set(key, stored, options.Value.CacheFor);
        }

        return stored;
    }

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments(ApiPrefix, StringComparison.Ordinal))
        {
            await next(http);
            return;
        }

        var header = http.Request.Headers.Authorization.ToString();
        var session = header.Length == 0 && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            ? http.Request.Cookies[ConsoleSessions.CookieName]
            : null;
        if (session is null && (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7))
        {
            await Refuse(http, StatusCodes.Status401Unauthorized, "an API token is required: send 'Authorization: Bearer <token>'");
            return;
        }

        ApiPrincipal? principal;
        try
        {
            principal = session is not null
                ? await ResolveSessionAsync(session, http.RequestAborted)
                : await ResolveAsync(header[7..].Trim(), http.RequestAborted);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogWarning("Token lookup failed: {Message}", ex.Message);
            http.Response.Headers.RetryAfter = "5";
            await Refuse(http, StatusCodes.Status503ServiceUnavailable, "tokens cannot be checked now (PostgreSQL unavailable); retry shortly");
            return;
        }

        if (principal is null)
        {
            await Refuse(http, StatusCodes.Status401Unauthorized, session is not null
                ? "the console session has ended (expired, logged out, its token revoked, or another gateway); log in again"
                : "the API token is unknown or revoked");
            return;
        }

        http.Features.Set(principal);
        await next(http);
    }

    private static Task Refuse(HttpContext http, int status, string message)
    {
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblem.Of(status, message).ExecuteAsync(http);
    }
}

public static class ApiAccess
{
    /// <summary>The authenticated principal of an /api/cloudsentinel request.</summary>
    public static ApiPrincipal Principal(this HttpContext http) =>
        http.Features.Get<ApiPrincipal>() ?? throw new InvalidOperationException("no principal: the request did not pass token authentication");

    /// <summary>Null when the request's principal may use <paramref name="role"/> on <paramref name="tenant"/>, else a 403 that says why.</summary>
    public static IResult? Forbid(this HttpContext http, string? tenant, string role) =>
        http.Principal().Refusal(tenant, role) is { } reason
            ? ApiProblem.Of(StatusCodes.Status403Forbidden, $"forbidden: {reason}")
            : null;

    /// <summary>Checks the role, and the tenant in the route or query string ("tenant") when there is one.</summary>
    public static RouteHandlerBuilder RequireRole(this RouteHandlerBuilder route, string role) =>
        route.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var tenant = http.Request.RouteValues.TryGetValue("tenant", out var fromRoute) ? fromRoute as string : http.Request.Query["tenant"].FirstOrDefault();
            return http.Forbid(tenant, role) ?? await next(context);
        });

    /// <summary>Admin only, with the admin token itself (an admin console session reads but manages nothing).</summary>
    public static RouteHandlerBuilder RequireAdmin(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter(async (context, next) => context.HttpContext.Principal() is { IsAdmin: true, ViaSession: false }
            ? await next(context)
            : ApiProblem.Of(StatusCodes.Status403Forbidden, "forbidden: only the admin token manages tokens and login links"));
}
