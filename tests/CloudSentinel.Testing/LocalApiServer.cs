using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Testing;

/// <summary>One request as the fake API saw it.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A minimal Kestrel server on 127.0.0.1 and a free port, the one fake of every billing API: it plays
/// back scripted answers in order, then (when one is set) lets <see cref="Otherwise"/> answer, and
/// records every request, so a test can assert both what a connector produced and what it sent.
/// Connector tests script each answer; poller tests, whose pollers re-read on their own schedule,
/// answer from current state instead.
/// </summary>
public sealed class LocalApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _answers = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LocalApiServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Answers every request that finds no scripted answer; without it such a request gets 599.</summary>
    public Func<RecordedRequest, HttpContext, Task>? Otherwise { get; set; }

    public static async Task<LocalApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new LocalApiServer(builder.Build());
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public void Reply(int status, string body, params (string Name, string Value)[] headers) =>
        _answers.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });

    /// <summary>Promises a longer body than it sends, then drops the connection: a transfer cut short.</summary>
    public void ReplyCutOff(string partialBody) =>
        _answers.Enqueue(async context =>
        {
            var bytes = Encoding.UTF8.GetBytes(partialBody);
            context.Response.StatusCode = 200;
            context.Response.ContentLength = bytes.Length + 1000;
            await context.Response.Body.WriteAsync(bytes);
            await context.Response.Body.FlushAsync();
            context.Abort();
        });

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body);
        _requests.Enqueue(request);
        if (_answers.TryDequeue(out var answer)) await answer(context);
        else if (Otherwise is { } otherwise) await otherwise(request, context);
        else
        {
            context.Response.StatusCode = 599;
            await context.Response.WriteAsync("the test scripted no answer for this request");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
