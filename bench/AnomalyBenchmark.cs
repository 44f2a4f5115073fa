using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudSentinel.Gateway;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 5: how long after the ingest that completes an hour its anomaly is visible in PostgreSQL and
/// on the gauge of the real system (detector quality: <see cref="AnomalyQualityBenchmark"/>).
/// </summary>
public static class AnomalyBenchmark
{
    private const int Services = 40;
    private const int HistoryHours = 240;

    public static async Task<string> RunAsync()
    {
        Console.WriteLine($"anomaly benchmark: detection latency over {Services} services");
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        BenchStack? stack = null;
        try
        {
            stack = await BenchStack.StartAsync(server, "bench_anomaly");
            var spikeHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 1);
            var history = new StringBuilder("[");
            for (var s = 0; s < Services; s++)
            {
                for (var i = 1; i <= HistoryHours; i++)
                {
                    if (history.Length > 1) history.Append(',');
                    history.Append(Record($"svc-{s}", spikeHour.AddHours(-i), 2.00m));
                }
            }

            await stack.PostAsync("/api/cloudsentinel/ingest", Encoding.UTF8.GetBytes(history.Append(']').ToString()));
            await stack.WaitForCountAsync("SELECT count(*) FROM service_costs", Services * HistoryHours, TimeSpan.FromMinutes(5));
            await Task.Delay(TimeSpan.FromSeconds(2));

            var toDatabase = new List<double>();
            var toGauge = new List<double>();
            for (var s = 0; s < Services; s++)
            {
                var service = $"svc-{s}";
                var clock = Stopwatch.StartNew();
                await stack.PostAsync("/api/cloudsentinel/ingest", Encoding.UTF8.GetBytes("[" + Record(service, spikeHour, 6.00m) + "]"));
                double? database = null, gauge = null;
                while ((database is null || gauge is null) && clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    if (database is null && await stack.CountAsync($"SELECT count(*) FROM cost_anomalies WHERE service_name = '{service}'") == 1) database = clock.Elapsed.TotalMilliseconds;
                    if (gauge is null && ZScoreAbove(await stack.Http.GetStringAsync(GatewayApp.MetricsPath), service)) gauge = clock.Elapsed.TotalMilliseconds;
                    await Task.Delay(5);
                }

                toDatabase.Add(database ?? double.NaN);
                toGauge.Add(gauge ?? double.NaN);
            }

            var report = new StringBuilder()
                .AppendLine("## Anomalies, forecasts (issue 5)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- anomalies`.")
                .AppendLine()
                .AppendLine("### Time from the ingest that completes an hour to its anomaly being visible")
                .AppendLine()
                .AppendLine($"{Services} services with {HistoryHours} hours of 2.00 USD/hour; then, one service at a time, the hour that just ended arrives at 6.00 USD (z = 13.3).")
                .AppendLine("Measured from sending the HTTP request, polling every 5 ms (PostgreSQL: the row in cost_anomalies; gauge: `cloudsentinel_cost_anomaly_zscore` > 3 on a scrape of the gateway).")
                .AppendLine()
                .AppendLine("| visible in | p50 | p99 | max |")
                .AppendLine("|---|---|---|---|")
                .AppendLine(Row("PostgreSQL (cost_anomalies)", toDatabase))
                .AppendLine(Row("gauge (scrape of the gateway)", toGauge))
                .AppendLine()
                .AppendLine($"Target from issue 5: within 1 s ({(Percentile(toDatabase, 0.99) < 1000 && Percentile(toGauge, 0.99) < 1000 ? "met at p99" : "not met at p99")}). " +
                            "The path: the grain judges the hour on arrival, the anomaly writer flushes every 250 ms, the grain pushes its snapshot at once when a verdict changes and the gateway polls the shards every 250 ms.");
            return report.ToString();
        }
        finally
        {
            if (stack is not null) await stack.DisposeAsync();
            await stopPostgres();
        }
    }

    private static string Record(string service, DateTime hour, decimal cost) =>
        $$"""{"tenant":"bench","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private static bool ZScoreAbove(string exposition, string service)
    {
        var prefix = $"cloudsentinel_cost_anomaly_zscore{{tenant=\"bench\",service_name=\"{service}\"}} ";
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is not null && double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture) > 3;
    }

    private static string Row(string name, List<double> values) =>
        $"| {name} | {Percentile(values, 0.5):0} ms | {Percentile(values, 0.99):0} ms | {values.Max():0} ms |";

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
