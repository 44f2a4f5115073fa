using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CloudSentinel.Tests.Infrastructure;

/// <summary>One alert as Prometheus' <c>/api/v1/alerts</c> reports it.</summary>
public sealed record PrometheusAlert(string Name, IReadOnlyDictionary<string, string> Labels, string State, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";

    public override string ToString() =>
        $"{Name}{{{string.Join(",", Labels.Where(l => l.Key != "alertname").Select(l => $"{l.Key}=\"{l.Value}\""))}}} {State} {Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>One scrape target as Prometheus' <c>/api/v1/targets</c> reports it.</summary>
public sealed record PrometheusTarget(string Job, string Instance, string ScrapeUrl, string Health, string LastError);

/// <summary>
/// The real Prometheus binary (Debian's package) on a free loopback port, scraping one target with
/// the repository's rule files, over a data directory that may be backfilled first. A missing
/// binary fails the test with the way to install it: an end-to-end test that silently skips proves
/// nothing.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/prometheus";

    private Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log;

    private PrometheusServer(Process process, string directory, StringBuilder log, Uri address)
    {
        _process = process;
        _directory = directory;
        _log = log;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static string BinaryPath =>
        Environment.GetEnvironmentVariable("PROMETHEUS") is { Length: > 0 } custom ? custom : DefaultPath;

    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>What Prometheus logged so far, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Writes a prometheus.yml that scrapes <paramref name="target"/> like the production config
    /// (job, path, honor_labels, a bearer token from a credentials file) but every <paramref name="interval"/>, copies the repository's
    /// rule files unchanged, backfills <paramref name="openMetrics"/> with promtool when given, and
    /// starts Prometheus. Returns once Prometheus reports ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string target, TimeSpan interval, string bearerToken, string? openMetrics = null)
    {
        RequireInstalled();
        var directory = Directory.CreateTempSubdirectory("cloudsentinel-prometheus-").FullName;
        var data = Path.Combine(directory, "data");
        var rules = Directory.CreateDirectory(Path.Combine(directory, "rules")).FullName;
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("prometheus", "rules"), "*.yml"))
        {
            File.Copy(file, Path.Combine(rules, Path.GetFileName(file)));
        }

        var tokenFile = Path.Combine(directory, "cloudsentinel.token");
        await File.WriteAllTextAsync(tokenFile, bearerToken);
        var seconds = $"{(int)interval.TotalSeconds}s";
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
              evaluation_interval: {seconds}
            rule_files:
              - rules/*.yml
            scrape_configs:
              - job_name: cloudsentinel
                metrics_path: /api/cloudsentinel/prometheus
                honor_labels: true
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ["{target}"]
            """);

        var log = new StringBuilder();
        if (openMetrics is not null)
        {
            var input = Path.Combine(directory, "backfill.om");
            await File.WriteAllTextAsync(input, openMetrics);
            var result = Promtool.Run("tsdb", "create-blocks-from", "openmetrics", input, data);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"promtool could not backfill the history: {result}");
            }

            Append(log, "promtool tsdb create-blocks-from openmetrics:\n" + result.Output);
        }

        var port = LoopbackPorts.Next();
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
                 {
                     $"--config.file={Path.Combine(directory, "prometheus.yml")}",
                     $"--storage.tsdb.path={data}",
                     $"--web.listen-address=127.0.0.1:{port}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new PrometheusServer(Launch(start, log), directory, log, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Kills Prometheus (as an outage would); <see cref="RestartAsync"/> brings it back on the same port and data.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        var start = _process.StartInfo;
        _process.Dispose();
        _process = Launch(start, _log);
        await WaitUntilReadyAsync();
    }

    private static Process Launch(ProcessStartInfo start, StringBuilder log)
    {
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync() =>
        await Eventually.Async(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}:\n{Log}");
            }

            try
            {
                return (await Http.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "Prometheus to report ready", TimeSpan.FromSeconds(30));

    /// <summary>Fails, saying how to install them, unless prometheus and promtool are there; a test calls it before slow setup.</summary>
    public static void RequireInstalled()
    {
        foreach (var (name, path, variable) in new[] { ("prometheus", BinaryPath, "PROMETHEUS"), ("promtool", Promtool.Path, "PROMTOOL") })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"{name} was not found at {path}. Install Debian's prometheus package " +
                    $"(apt-get install prometheus; ./test.sh does this as root) or set {variable} to its path.");
            }
        }
    }

    /// <summary>An instant query at the current time; returns the result vector.</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string promQl) =>
        await GetResultAsync($"/api/v1/query?query={Uri.EscapeDataString(promQl)}");

    /// <summary>A range query as Grafana runs a time series panel; returns the result matrix.</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryRangeAsync(string promQl, DateTimeOffset from, DateTimeOffset to, TimeSpan step) =>
        await GetResultAsync($"/api/v1/query_range?query={Uri.EscapeDataString(promQl)}" +
                             $"&start={from.ToUnixTimeSeconds()}&end={to.ToUnixTimeSeconds()}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");

    public async Task<IReadOnlyList<PrometheusAlert>> AlertsAsync()
    {
        using var json = await GetAsync("/api/v1/alerts");
        return json.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(alert =>
        {
            var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "");
            return new PrometheusAlert(labels["alertname"], labels, alert.GetProperty("state").GetString() ?? "",
                double.Parse(alert.GetProperty("value").GetString() ?? "NaN", CultureInfo.InvariantCulture));
        }).ToArray();
    }

    public async Task<IReadOnlyList<PrometheusTarget>> TargetsAsync()
    {
        using var json = await GetAsync("/api/v1/targets?state=active");
        return json.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t =>
            new PrometheusTarget(
                t.GetProperty("labels").GetProperty("job").GetString() ?? "",
                t.GetProperty("labels").GetProperty("instance").GetString() ?? "",
                t.GetProperty("scrapeUrl").GetString() ?? "",
                t.GetProperty("health").GetString() ?? "",
                t.GetProperty("lastError").GetString() ?? "")).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<IReadOnlyList<JsonElement>> GetResultAsync(string path)
    {
        using var json = await GetAsync(path);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>GETs an API path; a Prometheus error (a bad query, say) becomes an exception with its message.</summary>
    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("status").GetString() != "success")
        {
            json.Dispose();
            throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode} to {path}: {body}");
        }

        return json;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null) return;
        lock (log) log.AppendLine(line);
    }

}
