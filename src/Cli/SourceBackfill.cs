using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CloudSentinel.Cli;

/// <summary>Asks the gateway to poll an API source day by day, showing each day as the gateway reports it.</summary>
public static class SourceBackfill
{
    public static async Task<int> RunAsync(HttpClient http, string tenant, string source, DateTime from, DateTime to, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"api/cloudsentinel/sources/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(source)}/backfill?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await stderr.WriteLineAsync($"error: the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}: {Message(body)}");
            return (int)response.StatusCode is >= 400 and < 500 ? ExitCodes.Refused : ExitCodes.Failed;
        }

        var totalDays = (long)(to - from).TotalDays + 1;
        var bar = new ProgressBar(stderr, totalDays, days => string.Create(CultureInfo.InvariantCulture, $"{days} days"));
        await stderr.WriteLineAsync($"backfilling {tenant}/{source} from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} ({totalDays} days)");
        bar.Report(0, force: true);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        long done = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("done", out _))
            {
                bar.Report(++done, force: true);
                continue;
            }

            bar.Finish(done);
            var totals = string.Create(CultureInfo.InvariantCulture,
                $"{root.GetProperty("days").GetInt32()} days, {root.GetProperty("records").GetInt32()} records, {root.GetProperty("costUsd").GetDecimal():0.00} USD, {root.GetProperty("apiCalls").GetInt32()} API calls");
            if (root.GetProperty("succeeded").GetBoolean())
            {
                await stdout.WriteLineAsync($"backfill of {tenant}/{source} done: {totals}");
                return ExitCodes.Ok;
            }

            await stdout.WriteLineAsync($"backfill of {tenant}/{source} stopped on {root.GetProperty("day").GetString()}: {totals} loaded before it");
            await stderr.WriteLineAsync($"error: {root.GetProperty("error").GetString()}");
            return root.GetProperty("stopped").GetBoolean() ? ExitCodes.CredentialsRefused : ExitCodes.Failed;
        }

        bar.Finish(done);
        await stderr.WriteLineAsync("error: the gateway closed the connection before the backfill finished; the days reported are loaded");
        return ExitCodes.Failed;
    }

    private static string Message(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("detail", out var m) ? m.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
