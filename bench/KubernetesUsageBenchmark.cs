using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Bench;

/// <summary>
/// One cluster-hour of 10,000 pods read by the kubernetes source from a real Prometheus (history
/// loaded as TSDB blocks by promtool), against the baseline of the same queries whose answers are
/// only received, not parsed: what the source adds on top of Prometheus answering.
/// </summary>
public static class KubernetesUsageBenchmark
{
    private const int Pods = 10_000;
    private const int ScrapeSeconds = 300;
    private const int Runs = 3;

    public static async Task<string> RunAsync()
    {
        var load = BenchEnvironment.LoadAverage();
        var hour = UtcHours.HourStart(DateTime.UtcNow).AddHours(-1);
        var directory = Directory.CreateTempSubdirectory("cloudsentinel-bench-k8s-").FullName;
        try
        {
            var input = Path.Combine(directory, "history.om");
            var lines = WriteHistory(input, hour);
            var data = Path.Combine(directory, "data");
            var blocks = Stopwatch.StartNew();
            await BenchEnvironment.Run("promtool", $"tsdb create-blocks-from openmetrics {input} {data}");
            blocks.Stop();
            File.Delete(input);
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1m\n");
            var port = LoopbackPorts.Next();
            using var prometheus = Process.Start(new ProcessStartInfo("prometheus")
            {
                ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            prometheus.ErrorDataReceived += (_, _) => { };
            prometheus.BeginErrorReadLine();
            prometheus.BeginOutputReadLine();
            try
            {
                var endpoint = new Uri($"http://127.0.0.1:{port}/");
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
                await WaitReadyAsync(http, endpoint);
                var options = new KubernetesUsageOptions { Tenant = "bench", ClusterName = "big", Endpoint = endpoint };
                var window = new PollWindow(hour, hour.AddHours(1));
                var connector = new KubernetesUsageConnector(http, options);
                await connector.PollAsync(window); // warm-up: Prometheus loads the block's index, the JIT compiles

                var polls = new List<double>();
                var baselines = new List<double>();
                var answerBytes = 0L;
                PollResult result = null!;
                long allocated = 0;
                for (var run = 0; run < Runs; run++)
                {
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var clock = Stopwatch.StartNew();
                    result = await connector.PollAsync(window);
                    polls.Add(clock.Elapsed.TotalSeconds);
                    allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    clock.Restart();
                    answerBytes = await ReceiveOnlyAsync(http, endpoint, options, window);
                    baselines.Add(clock.Elapsed.TotalSeconds);
                }

                // What a pusher posting JSON would also pay: the endpoint's validation, and the hour's fold into pod usage.
                var validator = new UsageRecordValidator(new IngestLimits(), TimeProvider.System);
                var fold = Stopwatch.StartNew();
                var aggregator = new ClusterInputAggregator();
                var errors = new List<IngestError>();
                foreach (var fields in result.Usage) aggregator.Add(validator.Validate(fields, errors)!);
                fold.Stop();
                if (errors.Count > 0 || result.Usage.Count != Pods) throw new InvalidOperationException($"{result.Usage.Count} records, {errors.Count} refused");

                var poll = Median(polls);
                var baseline = Median(baselines);
                return string.Create(CultureInfo.InvariantCulture, $"""
                    ## Kubernetes usage source (issue 22)

                    Machine: {BenchEnvironment.Machine}; 1-minute load average {load} at the start. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC,
                    Release build, `dotnet run -c Release --project bench -- kubernetes`. No PostgreSQL is involved (the poll ends at the usage records).
                    Cluster: {Pods:N0} pods in 100 namespaces, two containers each (kube-state-metrics requests, cAdvisor counters and working sets, pod-level and
                    pause series, labels, pod info; {lines:N0} samples, scraped every {ScrapeSeconds} s), one ended hour, loaded by `promtool tsdb create-blocks-from openmetrics`
                    ({blocks.Elapsed.TotalSeconds:0.0} s) into Prometheus {PrometheusVersion()} on 127.0.0.1.
                    **Baseline:** the same {result.ApiCalls} range queries with their answers received whole and thrown away (Prometheus' work and the transfer, no parsing).

                    | measure | value |
                    |---|---|
                    | poll of one cluster-hour, {Pods:N0} pods (median of {Runs}) | {poll:0.00} s, {result.ApiCalls} range queries, {result.Usage.Count:N0} usage records |
                    | baseline: the same queries, answers only received (median of {Runs}) | {baseline:0.00} s, {answerBytes / 1e6:0.0} MB of answers |
                    | **ratio poll / baseline** | **{poll / baseline:0.00}×** |
                    | managed allocation of one poll | {allocated / 1e6:0} MB for {answerBytes / 1e6:0.0} MB of answers (read buffer 64 KiB; one series at a time) |
                    | validation and fold of the hour's records (what the JSON endpoint does too) | {fold.Elapsed.TotalMilliseconds:0} ms |

                    A ratio near 1 means the source costs little beyond Prometheus answering; the queries per poll do not grow with pods or hours.
                    The scrape interval is 5 min to keep the history small; at a 1-min interval each series has 5× the samples, which lengthens Prometheus' part
                    (the baseline), not the parsing: the answers have one point per pod and hour either way.
                    """);
            }
            finally
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Writes the hour (and the scrape before it) as OpenMetrics; returns the number of samples.</summary>
    private static long WriteHistory(string path, DateTime hour)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var first = new DateTimeOffset(hour).ToUnixTimeSeconds() - ScrapeSeconds;
        var times = Enumerable.Range(0, 3600 / ScrapeSeconds + 1).Select(i => first + ScrapeSeconds / 2 + i * ScrapeSeconds).ToArray();
        long samples = 0;
        void Family(string name, string type, Func<int, IEnumerable<(string Series, Func<long, double> Value)>> series)
        {
            writer.Write($"# TYPE {name} {type}\n");
            for (var pod = 0; pod < Pods; pod++)
            {
                foreach (var (labels, value) in series(pod))
                {
                    foreach (var t in times)
                    {
                        writer.Write(labels);
                        writer.Write(' ');
                        writer.Write(value(t).ToString("R", CultureInfo.InvariantCulture));
                        writer.Write(' ');
                        writer.Write(t.ToString(CultureInfo.InvariantCulture));
                        writer.Write('\n');
                        samples++;
                    }
                }
            }
        }

        static string Pod(int p) => $"namespace=\"ns-{p % 100}\",pod=\"pod-{p}\"";
        Family("kube_pod_container_resource_requests", "gauge", p => Enumerable.Range(0, 2).SelectMany(c => new (string, Func<long, double>)[]
        {
            ($"kube_pod_container_resource_requests{{{Pod(p)},container=\"c{c}\",resource=\"cpu\",unit=\"core\"}}", _ => 0.25),
            ($"kube_pod_container_resource_requests{{{Pod(p)},container=\"c{c}\",resource=\"memory\",unit=\"byte\"}}", _ => 268435456),
        }));
        Family("container_cpu_usage_seconds", "counter", p => Enumerable.Range(0, 2).Select(c => ($"container_cpu_usage_seconds_total{{{Pod(p)},container=\"c{c}\"}}", (Func<long, double>)(t => (t - first + 600) * 0.1)))
            .Append(($"container_cpu_usage_seconds_total{{{Pod(p)},container=\"\"}}", t => (t - first + 600) * 0.2))
            .Append(($"container_cpu_usage_seconds_total{{{Pod(p)},container=\"POD\"}}", t => (t - first + 600) * 0.001)));
        Family("container_memory_working_set_bytes", "gauge", p => Enumerable.Range(0, 2).Select(c => ($"container_memory_working_set_bytes{{{Pod(p)},container=\"c{c}\"}}", (Func<long, double>)(_ => 134217728)))
            .Append(($"container_memory_working_set_bytes{{{Pod(p)},container=\"\"}}", _ => 300000000)));
        Family("kube_pod_labels", "gauge", p => [($"kube_pod_labels{{{Pod(p)},label_app_kubernetes_io_name=\"svc-{p % 500}\"}}", _ => 1)]);
        Family("kube_pod_info", "gauge", p => [($"kube_pod_info{{{Pod(p)},pod_ip=\"10.{p / 65536}.{p / 256 % 256}.{p % 256}\",node=\"node-{p % 200}\"}}", _ => 1)]);
        writer.Write("# EOF\n");
        return samples;
    }

    private static async Task<long> ReceiveOnlyAsync(HttpClient http, Uri endpoint, KubernetesUsageOptions options, PollWindow window)
    {
        long bytes = 0;
        var buffer = new byte[1 << 16];
        foreach (var query in KubernetesUsageQueries.For(options))
        {
            using var content = new FormUrlEncodedContent(KubernetesUsageConnector.QueryForm(query.PromQl, window));
            using var response = await http.PostAsync(new Uri(endpoint, "api/v1/query_range"), content);
            await using var body = await response.Content.ReadAsStreamAsync();
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0) bytes += read;
        }

        return bytes;
    }

    private static async Task WaitReadyAsync(HttpClient http, Uri endpoint)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(endpoint, "-/ready"))).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Prometheus did not become ready within 60 s");
    }

    private static string PrometheusVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("prometheus", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return text.Split(' ', 4).ElementAtOrDefault(2)?.Trim() ?? "?";
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
