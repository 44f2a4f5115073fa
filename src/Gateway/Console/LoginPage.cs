using System.Text.Encodings.Web;

namespace CloudSentinel.Gateway.Console;

/// <summary>The login form: a page of its own, no script, so it works before any session exists.</summary>
public static class LoginPage
{
    public static IResult Result(string? message, int status) => new Page(Html(message), status);

    private static string Html(string? message) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Log in · CloudSentinel</title>
        <link rel="icon" href="/console/favicon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/console/console.css">
        </head>
        <body class="login">
        <main>
        <h1>CloudSentinel</h1>
        <p>Open the login link that <code>./run.sh</code> printed (also in <code>.run/console.url</code>), or paste an API token with the <code>read</code> role.</p>
        {{(message is null ? "" : $"<p class=\"error\" role=\"alert\">{HtmlEncoder.Default.Encode(message)}</p>")}}
        <form method="post" action="/login">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" required>
        <button type="submit">Log in</button>
        </form>
        </main>
        </body>
        </html>
        """;

    private sealed class Page(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            return http.Response.WriteAsync(html);
        }
    }
}
