using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Every request under /api/cloudsentinel/ carries "Authorization: Bearer TOKEN" or gets 401; the
/// principal it resolves to is kept on the request for the endpoints' tenant and role checks.
/// Tenant tokens are looked up in the store and the answer cached for Auth:CacheFor, so a revoked
/// token is refused on every gateway within that time. Tokens never reach a log.
/// </summary>
public sealed class TokenAuthentication(ITokenStore store, IMemoryCache cache, IOptions<AuthOptions> options, ILogger<TokenAuthentication> logger)
{
    public const string ApiPrefix = "/api/cloudsentinel";

    private readonly byte[] _adminHash = ApiTokens.Hash(options.Value.AdminToken!);

    public async Task<ApiPrincipal?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        if (ApiTokens.Matches(_adminHash, token)) return ApiPrincipal.Admin;
        if (ApiTokens.IdOf(token) is not { } id) return null;

        var key = "token:" + id;
        if (!cache.TryGetValue(key, out StoredToken? stored))
        {
            stored = await store.FindAsync(id, cancellationToken);
            cache.Set(key, stored, options.Value.CacheFor);
        }

        return stored is not null && ApiTokens.Matches(stored.Hash, token)
            ? new ApiPrincipal(stored.Id, stored.Tenant, new HashSet<string>(stored.Roles, StringComparer.Ordinal))
            : null;
    }

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments(ApiPrefix, StringComparison.Ordinal))
        {
            await next(http);
            return;
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await Refuse(http, StatusCodes.Status401Unauthorized, "an API token is required: send 'Authorization: Bearer <token>'");
            return;
        }

        ApiPrincipal? principal;
        try
        {
            principal = await ResolveAsync(header[7..].Trim(), http.RequestAborted);
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
            await Refuse(http, StatusCodes.Status401Unauthorized, "the API token is unknown or revoked");
            return;
        }

        http.Features.Set(principal);
        await next(http);
    }

    private static Task Refuse(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        return http.Response.WriteAsJsonAsync(new ErrorResponse(message));
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
            ? Results.Json(new ErrorResponse($"forbidden: {reason}"), statusCode: StatusCodes.Status403Forbidden)
            : null;

    /// <summary>Checks the role, and the tenant in the route or query string ("tenant") when there is one.</summary>
    public static RouteHandlerBuilder RequireRole(this RouteHandlerBuilder route, string role) =>
        route.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var tenant = http.Request.RouteValues.TryGetValue("tenant", out var fromRoute) ? fromRoute as string : http.Request.Query["tenant"].FirstOrDefault();
            return http.Forbid(tenant, role) ?? await next(context);
        });

    /// <summary>Admin only: token management.</summary>
    public static RouteHandlerBuilder RequireAdmin(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter(async (context, next) => context.HttpContext.Principal().IsAdmin
            ? await next(context)
            : Results.Json(new ErrorResponse("forbidden: only the admin token manages tokens"), statusCode: StatusCodes.Status403Forbidden));
}
