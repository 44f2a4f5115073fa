using System.Net;

namespace CloudSentinel.Cli;

/// <summary>
/// cloudsentinel export focus: streams GET /api/cloudsentinel/export/focus into a file (or stdout with
/// --out -), never holding it in memory, with the bytes received on stderr; next to a file it writes the
/// export's FOCUS 1.3 metadata (<c>PATH.metadata.json</c>, from …/export/focus/metadata), which says
/// among other things whether the last hours are complete.
/// </summary>
public static class FocusDownload
{
    public static async Task<int> RunAsync(HttpClient http, string tenant, string from, string to, string format, string? outPath,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var query = $"api/cloudsentinel/export/focus?tenant={Uri.EscapeDataString(tenant)}&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&format={format}";
        using var response = await http.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await stderr.WriteLineAsync($"error: the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
            return (int)response.StatusCode is >= 400 and < 500 ? ExitCodes.Refused : ExitCodes.Failed;
        }

        var path = outPath ?? $"focus-1.3-{tenant}-{Safe(from)}-{Safe(to)}.{format}";
        var toStdout = path == "-";
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var target = toStdout ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        var bar = new ProgressBar(stderr, response.Content.Headers.ContentLength ?? 0, ProgressBar.Bytes);
        var buffer = new byte[81920];
        long received = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                received += read;
                bar.Report(received);
            }
        }
        catch (Exception e) when (!toStdout && e is IOException or HttpRequestException or OperationCanceledException)
        {
            // A file cut short would look like a smaller bill; leave none behind.
            await target.DisposeAsync();
            File.Delete(path);
            await stderr.WriteLineAsync($"error: the export stopped after {ProgressBar.Bytes(received)} ({e.Message}); {path} was removed");
            return ExitCodes.Failed;
        }

        bar.Finish(received);
        if (toStdout) return ExitCodes.Ok;
        await stdout.WriteLineAsync($"wrote {path} ({ProgressBar.Bytes(received)}), FOCUS 1.3 {format}, tenant {tenant}, [{from}, {to})");
        return await WriteMetadataAsync(http, query.Replace("export/focus?", "export/focus/metadata?", StringComparison.Ordinal), path + ".metadata.json",
            stdout, stderr, cancellationToken);
    }

    private static async Task<int> WriteMetadataAsync(HttpClient http, string query, string path, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(query, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await stderr.WriteLineAsync($"error: the export was written but its metadata was not: the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
            return ExitCodes.Failed;
        }

        await File.WriteAllTextAsync(path, body, cancellationToken);
        using var metadata = System.Text.Json.JsonDocument.Parse(body);
        var complete = metadata.RootElement.GetProperty("Recency")[0].GetProperty("DatasetInstanceComplete").GetBoolean();
        await stdout.WriteLineAsync($"wrote {path} (FOCUS 1.3 metadata; {(complete ? "every hour is complete" : "the last hours may still change")})");
        return ExitCodes.Ok;
    }

    private static string Safe(string text) => new(text.Where(char.IsAsciiLetterOrDigit).ToArray());
}
