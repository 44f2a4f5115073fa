using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Console;

/// <summary>One tab: navigate, evaluate script, wait for a condition, take screenshots, read cookies.</summary>
public sealed class ChromiumPage(Chromium browser, string sessionId)
{
    public Task<JsonElement> SendAsync(string method, object? parameters = null, TimeSpan? timeout = null) =>
        browser.SendToAsync(sessionId, method, parameters, timeout);

    public IReadOnlyCollection<string> Errors => browser.ErrorsOf(sessionId);

    public async Task NavigateAsync(string url)
    {
        var result = await SendAsync("Page.navigate", new { url });
        if (result.TryGetProperty("errorText", out var error)) throw new InvalidOperationException($"navigating to {url} failed: {error.GetString()}");
    }

    /// <summary>The value of a script expression (promises awaited); a script exception fails the test with its text.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var exception)) throw new InvalidOperationException($"script failed: {exception}");
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    public async Task<string> TextAsync(string expression) => (await EvaluateAsync(expression)).ToString();

    /// <summary>Polls a script condition until it is true, at most <paramref name="timeout"/> (20 s by default).</summary>
    public async Task WaitForAsync(string condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.Async(async () => (await EvaluateAsync($"!!({condition})")).GetBoolean(), what, timeout ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException ex)
        {
            // Say where the page was and what it showed, so a failure in CI explains itself.
            var where = await TextAsync("location.href + ' :: ' + (document.body ? document.body.innerText.slice(0, 600) : '')");
            throw new TimeoutException($"{ex.Message}; the page is at {where}" + (Errors.Count > 0 ? $"; page errors: {string.Join("; ", Errors)}" : ""), ex);
        }
    }

    public Task SetViewportAsync(int width, int height) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false });

    /// <summary>A PNG of the whole page (not just the viewport) at the current width.</summary>
    public async Task ScreenshotAsync(string path)
    {
        var metrics = await SendAsync("Page.getLayoutMetrics");
        var size = metrics.GetProperty("cssContentSize");
        var clip = new { x = 0, y = 0, width = size.GetProperty("width").GetDouble(), height = Math.Min(size.GetProperty("height").GetDouble(), 6000), scale = 1 };
        var shot = await SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true, clip }, TimeSpan.FromSeconds(60));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
    }

    public async Task<JsonElement[]> CookiesAsync(string url) =>
        [.. (await SendAsync("Network.getCookies", new { urls = new[] { url } })).GetProperty("cookies").EnumerateArray().Select(c => c.Clone())];
}
