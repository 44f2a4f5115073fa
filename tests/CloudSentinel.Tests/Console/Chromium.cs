using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudSentinel.Tests.Console;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol with nothing but a WebSocket: a
/// browser process with its own throwaway profile, one command at a time with a bounded wait, and
/// pages attached in flat mode (one socket, a session id per page). The process is killed on dispose.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string PathVariable = "CHROMIUM_PATH";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _pageErrors = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser to drive: CHROMIUM_PATH, else chromium (Debian) or chromium-browser on PATH; null when none is installed.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured) return File.Exists(configured) ? configured : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return new[] { "chromium", "chromium-browser" }
            .SelectMany(name => path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => System.IO.Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The browser's path, or an exception that says how to get one: a browser test without a browser fails, it never skips.</summary>
    public static string Require() => FindExecutable() ?? throw new InvalidOperationException(
        "chromium is not installed, so the console's browser tests cannot run. Install Debian's package (apt-get install -y chromium; " +
        "./test.sh does it when run as root) or set CHROMIUM_PATH to a Chromium binary.");

    public static async Task<Chromium> StartAsync()
    {
        var executable = Require();
        var profile = Directory.CreateTempSubdirectory("cs-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                     "--password-store=basic", "--hide-scrollbars", "--lang=en-US", "about:blank",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new Chromium(process, profile);
        try
        {
            await browser.ConnectAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync()
    {
        // Chromium writes its port and browser endpoint path here once it listens.
        var portFile = System.IO.Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string[] lines = [];
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"chromium exited at start with code {_process.ExitCode}");
            if (File.Exists(portFile) && (lines = await File.ReadAllLinesAsync(portFile)).Length >= 2) break;
            await Task.Delay(100);
        }

        if (lines.Length < 2) throw new TimeoutException("chromium did not open its DevTools port within 30 s");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), timeout.Token);
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>Sends one command and waits for its answer; a protocol error becomes an exception naming the method.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null, string? sessionId = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = JsonSerializer.SerializeToNode(parameters ?? new { }) };
        if (sessionId is not null) message["sessionId"] = sessionId;
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            var reply = await answer.Task.WaitAsync(timeout ?? CommandTimeout);
            if (reply.TryGetProperty("error", out var error)) throw new InvalidOperationException($"DevTools {method} failed: {error}");
            return reply.GetProperty("result");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"DevTools {method} did not answer within {(timeout ?? CommandTimeout).TotalSeconds:0} s");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>A new browser context: its own cookie jar, like a separate browser profile.</summary>
    public async Task<string> NewContextAsync() => (await SendAsync("Target.createBrowserContext")).GetProperty("browserContextId").GetString()!;

    public async Task<ChromiumPage> NewPageAsync(string? browserContextId = null)
    {
        var target = await SendAsync("Target.createTarget", browserContextId is null ? new { url = "about:blank" } : new { url = "about:blank", browserContextId });
        var targetId = target.GetProperty("targetId").GetString()!;
        var session = (await SendAsync("Target.attachToTarget", new { targetId, flatten = true })).GetProperty("sessionId").GetString()!;
        _pageErrors[session] = new ConcurrentQueue<string>();
        var page = new ChromiumPage(this, session);
        await page.SendAsync("Page.enable");
        await page.SendAsync("Runtime.enable");
        await page.SendAsync("Log.enable");
        await page.SendAsync("Network.enable");
        return page;
    }

    /// <summary>Script exceptions, console errors and browser log errors (a Content-Security-Policy violation is one) the page reported.</summary>
    public IReadOnlyCollection<string> ErrorsOf(string sessionId) => _pageErrors.TryGetValue(sessionId, out var errors) ? errors.ToArray() : [];

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                Dispatch(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        foreach (var pending in _pending.Values) pending.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_pending.TryGetValue(id.GetInt32(), out var answer)) answer.TrySetResult(message);
            return;
        }

        if (!message.TryGetProperty("sessionId", out var session) || !_pageErrors.TryGetValue(session.GetString()!, out var errors)) return;
        var method = message.GetProperty("method").GetString();
        var parameters = message.GetProperty("params");
        if (method == "Runtime.exceptionThrown") errors.Enqueue("exception: " + parameters.GetProperty("exceptionDetails"));
        else if (method == "Runtime.consoleAPICalled" && parameters.GetProperty("type").GetString() == "error") errors.Enqueue("console.error: " + parameters.GetProperty("args"));
        else if (method == "Log.entryAdded" && parameters.GetProperty("entry").GetProperty("level").GetString() == "error")
        {
            var entry = parameters.GetProperty("entry");
            // A refused login or an expired session answers 401 on purpose; every other failed load counts.
            var text = entry.GetProperty("text").GetString() ?? "";
            if (!text.Contains("status of 401", StringComparison.Ordinal)) errors.Enqueue($"log: {text} {(entry.TryGetProperty("url", out var url) ? url.GetString() : "")}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open) await SendAsync("Browser.close", timeout: TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or WebSocketException)
        {
        }

        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(5));
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium's helpers may still hold a file for a moment; the temp directory is cleaned by the system.
        }
    }

    internal Task<JsonElement> SendToAsync(string sessionId, string method, object? parameters, TimeSpan? timeout) => SendAsync(method, parameters, sessionId, timeout);
}
