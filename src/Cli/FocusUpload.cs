using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CloudSentinel.Cli;

/// <summary>Streams a FOCUS file to POST /api/cloudsentinel/ingest/focus with a progress bar, then prints the gateway's summary.</summary>
public static class FocusUpload
{
    public static async Task<int> RunAsync(HttpClient http, string tenant, string path, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var bar = new ProgressBar(stderr, file.Length, ProgressBar.Bytes);
        using var content = new ProgressContent(file, bar);
        content.Headers.ContentType = new MediaTypeHeaderValue(path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "application/gzip"
            : path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "application/vnd.apache.parquet" : "text/csv");

        await stderr.WriteLineAsync($"uploading {path} ({ProgressBar.Bytes(file.Length)}) for tenant {tenant}");
        using var response = await http.PostAsync($"api/cloudsentinel/ingest/focus?tenant={Uri.EscapeDataString(tenant)}", content, cancellationToken);
        bar.Finish(file.Length);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        using var json = TryParse(body);
        var nothingLoaded = response.StatusCode == HttpStatusCode.UnprocessableEntity;
        if (response.StatusCode != HttpStatusCode.OK && !(nothingLoaded && json?.RootElement.TryGetProperty("summary", out _) == true))
        {
            var message = json?.RootElement.TryGetProperty("detail", out var m) == true ? m.GetString() : body;
            await stderr.WriteLineAsync($"error: the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}: {message}");
            return (int)response.StatusCode is >= 400 and < 500 ? ExitCodes.Refused : ExitCodes.Failed;
        }

        // 200 and 422 (nothing could be applied, an RFC 9457 problem with the report's members) both carry the counts and the reasons.
        var root = json!.RootElement;
        await stdout.WriteAsync(root.GetProperty("summary").GetString());
        var rowsRejected = root.GetProperty("rowsRejected").GetInt64();
        var recordsRejected = root.GetProperty("recordsRejected").GetInt32();
        await stdout.WriteLineAsync($"rows: {root.GetProperty("rowsRead").GetInt64()} read, {root.GetProperty("rowsLoaded").GetInt64()} usable, {rowsRejected} refused; " +
            $"summed records: {root.GetProperty("records").GetInt32()} loaded, {recordsRejected} refused; " +
            $"{root.GetProperty("services").GetInt32()} services, {root.GetProperty("buckets").GetInt32()} hourly buckets written");
        if (nothingLoaded)
        {
            await stderr.WriteLineAsync($"error: the gateway answered 422: {root.GetProperty("detail").GetString()}");
            return ExitCodes.Refused;
        }

        return rowsRejected + recordsRejected > 0 ? ExitCodes.PartlyRejected : ExitCodes.Ok;
    }

    private static JsonDocument? TryParse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Sends the file in chunks as the connection takes them; the file is never held in memory.</summary>
    private sealed class ProgressContent(Stream file, ProgressBar bar) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            long sent = 0;
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                sent += read;
                bar.Report(sent);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = file.Length;
            return true;
        }
    }
}
