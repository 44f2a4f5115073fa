using System.Collections.Frozen;
using System.Security.Cryptography;
using CloudSentinel.Gateway.Auth;

namespace CloudSentinel.Gateway.Console;

/// <summary>
/// The console's page, script and style sheet, embedded in the gateway assembly (no build step, no
/// wwwroot to deploy) and served under a Content-Security-Policy that lets the page load and call
/// nothing but this gateway. <c>/</c> without a session goes to <c>/login</c>.
/// </summary>
public static class ConsoleAssets
{
    /// <summary>Only this origin, for scripts, styles, images and fetches; no inline script, no frames, no forms elsewhere.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    /// <summary>Before authentication, so that refusals carry the headers too.</summary>
    public static void UseConsoleHeaders(this WebApplication app) =>
        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // The login link carries its code in the query: no page hands its address to another site.
            headers["Referrer-Policy"] = "same-origin";
            await next(http);
        });

    public static void MapConsoleAssets(this WebApplication app)
    {
        app.MapGet("/", async (HttpContext http, TokenAuthentication authentication) =>
        {
            var session = http.Request.Cookies[ConsoleSessions.CookieName];
            if (session is null || await authentication.ResolveSessionAsync(session, http.RequestAborted) is null) return Results.Redirect("/login");
            http.Response.Headers.CacheControl = "no-store";
            return Serve(http, "index.html");
        });

        app.MapGet("/console/{name}", (HttpContext http, string name) => Serve(http, name));
    }

    private static IResult Serve(HttpContext http, string name)
    {
        if (!Assets.TryGetValue(name, out var asset)) return Results.NotFound();
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        if (name != "index.html") http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        const string prefix = "console/";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
