using System.Text.Json;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway.Console;

/// <summary>
/// The console's login, Jupyter-style: <c>POST /api/cloudsentinel/console/login-links</c> (admin token,
/// optional {"tenant"}) returns a one-time link; opening <c>/login?code=…</c> sets the session cookie and
/// redirects to <c>/</c>, so the code leaves the address bar at once. A tenant user can instead paste a
/// token into the form of <c>/login</c>. <c>POST /logout</c> ends the session.
/// </summary>
public static class LoginEndpoints
{
    public const string LinksPath = TokenAuthentication.ApiPrefix + "/console/login-links";

    public sealed record LinkRequest(string? Tenant);

    public sealed record LinkCreated(string Url, string? Tenant, DateTimeOffset ExpiresAt);

    public static void MapConsoleLogin(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(LinksPath, async (HttpContext http, ConsoleSessions sessions) =>
        {
            // No body (curl -X POST sends none) means a link for the admin.
            string body;
            try
            {
                body = await new StreamReader(new Ingest.LimitedReadStream(http.Request.Body, 4096)).ReadToEndAsync(http.RequestAborted);
            }
            catch (Ingest.BodyTooLargeException e)
            {
                return ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, e.Message, "body");
            }

            LinkRequest? request = null;
            if (!string.IsNullOrWhiteSpace(body))
            {
                try
                {
                    request = JsonSerializer.Deserialize<LinkRequest>(body, JsonSerializerOptions.Web);
                }
                catch (JsonException e)
                {
                    return ApiProblem.Of(StatusCodes.Status400BadRequest, $"body is not a JSON object {{\"tenant\"}}: {e.Message}", "body");
                }
            }

            if (request?.Tenant is { } tenant && Names.CheckTenant(tenant) is { } problem)
            {
                return ApiProblem.Of(StatusCodes.Status400BadRequest, $"tenant {problem}", "tenant");
            }

            if (sessions.CreateLink(request?.Tenant) is not { } link) return TooMany();
            var url = $"{http.Request.Scheme}://{http.Request.Host}/login?code={link.Code}";
            return Results.Json(new LinkCreated(url, request?.Tenant, link.Expires), statusCode: StatusCodes.Status201Created);
        }).RequireAdmin();

        routes.MapGet("/login", (HttpContext http, ConsoleSessions sessions, string? code) =>
        {
            if (string.IsNullOrEmpty(code)) return LoginPage.Result(null, StatusCodes.Status200OK);
            if (sessions.Redeem(code) is not { } grant)
            {
                return LoginPage.Result("This login link has expired or was already used. Ask for a new one (./run.sh prints one at start) or paste a token.",
                    StatusCodes.Status401Unauthorized);
            }

            return StartSession(http, sessions, grant.Tenant, null);
        });

        routes.MapPost("/login", async (HttpContext http, ConsoleSessions sessions, TokenAuthentication authentication) =>
        {
            if (CrossSite(http)) return LoginPage.Result("A login must come from this console's own page.", StatusCodes.Status403Forbidden);
            if (!http.Request.HasFormContentType) return LoginPage.Result("Paste a token into the form.", StatusCodes.Status400BadRequest);
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var token = form["token"].ToString().Trim();
            if (token.Length == 0) return LoginPage.Result("Paste a token into the form.", StatusCodes.Status400BadRequest);
            var principal = await authentication.ResolveAsync(token, http.RequestAborted);
            if (principal is null) return LoginPage.Result("That token is unknown or revoked.", StatusCodes.Status401Unauthorized);
            if (principal.Refusal(null, ApiPrincipal.ReadRole) is { } reason) return LoginPage.Result($"That token cannot read: {reason}.", StatusCodes.Status403Forbidden);
            return StartSession(http, sessions, principal.Tenant, principal.IsAdmin ? null : principal.TokenId);
        });

        routes.MapPost("/logout", (HttpContext http, ConsoleSessions sessions) =>
        {
            if (CrossSite(http)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            if (http.Request.Cookies[ConsoleSessions.CookieName] is { } session) sessions.Close(session);
            http.Response.Cookies.Delete(ConsoleSessions.CookieName, CookieOptions(http, null));
            return Results.Redirect("/login", permanent: false);
        });
    }

    private static IResult StartSession(HttpContext http, ConsoleSessions sessions, string? tenant, string? tokenId)
    {
        if (sessions.Open(tenant, tokenId) is not { } session) return TooMany();
        http.Response.Cookies.Append(ConsoleSessions.CookieName, session.Id, CookieOptions(http, session.Expires));
        return Results.Redirect("/", permanent: false);
    }

    /// <summary>HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure when served over https.</summary>
    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>
    /// A form post from another site (login CSRF). Browsers send Sec-Fetch-Site and Origin on every POST;
    /// "null" (a page that hides its origin) counts as foreign. A client that sends neither (curl) is no browser to forge with.
    /// </summary>
    private static bool CrossSite(HttpContext http)
    {
        if (http.Request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site != "same-origin") return true;
        return http.Request.Headers.Origin.ToString() is { Length: > 0 } origin &&
               !string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult TooMany() =>
        ApiProblem.Of(StatusCodes.Status503ServiceUnavailable, "this gateway holds too many console sessions; try again when some have expired");
}
