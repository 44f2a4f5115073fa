using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 19, item 5: how long after the 200 of the ingest that completes an anomalous hour that hour is
/// visible in cost_anomalies and in <c>cloudsentinel_cost_anomaly_zscore</c>, on the durable path:
/// three silos and a gateway as real processes on a PostgreSQL with fsync on. Measured idle, and while
/// another tenant backfills 35 days of history as fast as the gateway takes it.
/// </summary>
public static class FreshnessBenchmark
{
    private const int Probes = 25;
    private const int HistoryDays = 21;
    private const int BackfillServices = 300;
    private const int BackfillSenders = 4;
    private const int RecordsPerRequest = 2_000;

    public static async Task<string> RunAsync()
    {
        var load = BenchEnvironment.LoadAverage();
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        try
        {
            var database = await BenchStack.CreateDatabaseAsync(server, "bench_freshness");
            await using var cluster = new ProcessCluster(database, silos: 3);
            await cluster.StartAsync();
            await using var data = NpgsqlDataSource.Create(database);
            var spikeHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 1);

            Console.WriteLine($"freshness: {2 * Probes} services with {HistoryDays} days of 2.00 USD/hour");
            var history = Enumerable.Range(0, 2 * Probes).SelectMany(s => Enumerable.Range(1, HistoryDays * 24).Select(i => Record("fresh", $"svc-{s}", spikeHour.AddHours(-i), 2.00m)));
            foreach (var chunk in history.Chunk(RecordsPerRequest)) await PostAsync(cluster.Http, chunk);
            await SettleAsync(data);

            Console.WriteLine("freshness: idle");
            var idle = await ProbeAsync(cluster.Http, data, spikeHour, Enumerable.Range(0, Probes));

            Console.WriteLine($"freshness: while tenant 'backfill' sends {BackfillServices} services × 35 days in shuffled chunks");
            using var stop = new CancellationTokenSource();
            var sent = new long[1];
            var backfill = Enumerable.Range(0, BackfillSenders).Select(n => Task.Run(() => BackfillAsync(cluster.Http, spikeHour, n, sent, stop.Token))).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(5));
            var clock = Stopwatch.StartNew();
            var sentBefore = Interlocked.Read(ref sent[0]);
            var loaded = await ProbeAsync(cluster.Http, data, spikeHour, Enumerable.Range(Probes, Probes));
            var rate = (Interlocked.Read(ref sent[0]) - sentBefore) / clock.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await Task.WhenAll(backfill);

            return new StringBuilder()
                .AppendLine("## Anomaly freshness on the durable path (issue 19)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}; 1-minute load average {load} at the start. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release, `dotnet run -c Release --project bench -- freshness`.")
                .AppendLine("Three silos and a gateway as processes (ProcessCluster), PostgreSQL 15 with fsync and synchronous_commit on (`PG_DURABLE=1`).")
                .AppendLine()
                .AppendLine($"{2 * Probes} services of tenant `fresh` with {HistoryDays} days of 2.00 USD/hour; then, one service at a time, the hour that just ended arrives at 12.00 USD (6×).")
                .AppendLine("Measured from the 200 of that request, polling every 5 ms: the row in cost_anomalies, and `cloudsentinel_cost_anomaly_zscore` > 3 on a scrape of the gateway.")
                .AppendLine($"Under load, {BackfillSenders} clients send tenant `backfill` ({BackfillServices} services × 35 days, shuffled {RecordsPerRequest}-record requests) as fast as they are answered: {rate:0} records/s while the probes ran.")
                .AppendLine()
                .AppendLine("| visible in | idle p50 | idle p99 | idle max | under backfill p50 | under backfill p99 | under backfill max |")
                .AppendLine("|---|---:|---:|---:|---:|---:|---:|")
                .AppendLine(Row("cost_anomalies", idle.Database, loaded.Database))
                .AppendLine(Row("gauge (scrape of the gateway)", idle.Gauge, loaded.Gauge))
                .AppendLine()
                .AppendLine($"Target (issue 19): within 1 s at p99, idle and under backfill: {(new[] { idle.Database, idle.Gauge, loaded.Database, loaded.Gauge }.All(v => Percentile(v, 0.99) <= 1000) ? "met" : "not met")}.")
                .ToString();
        }
        finally
        {
            await stopPostgres();
        }
    }

    private static async Task<(List<double> Database, List<double> Gauge)> ProbeAsync(HttpClient http, NpgsqlDataSource data, DateTime spikeHour, IEnumerable<int> services)
    {
        var (toDatabase, toGauge) = (new List<double>(), new List<double>());
        foreach (var s in services)
        {
            var service = $"svc-{s}";
            await PostAsync(http, [Record("fresh", service, spikeHour, 12.00m)]);
            var clock = Stopwatch.StartNew();
            double? database = null, gauge = null;
            while ((database is null || gauge is null) && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                if (database is null && await RowExistsAsync(data, service, spikeHour)) database = clock.Elapsed.TotalMilliseconds;
                if (gauge is null && ZScoreAbove(await http.GetStringAsync("/api/cloudsentinel/prometheus"), service)) gauge = clock.Elapsed.TotalMilliseconds;
                await Task.Delay(5);
            }

            toDatabase.Add(database ?? double.PositiveInfinity);
            toGauge.Add(gauge ?? double.PositiveInfinity);
            Console.WriteLine($"  {service}: cost_anomalies {Ms(toDatabase[^1])}, gauge {Ms(toGauge[^1])}");
        }

        return (toDatabase, toGauge);
    }

    /// <summary>One sender of the backfill: shuffled chunks of its share of the services' 35 days, until stopped.</summary>
    private static async Task BackfillAsync(HttpClient http, DateTime lastHour, int sender, long[] sent, CancellationToken stop)
    {
        var random = new Random(1000 + sender);
        var services = Enumerable.Range(0, BackfillServices).Where(s => s % BackfillSenders == sender).ToArray();
        var cells = services.SelectMany(s => Enumerable.Range(1, 35 * 24).Select(h => (s, h))).OrderBy(_ => random.Next()).ToArray();
        try
        {
            for (var pass = 0; !stop.IsCancellationRequested; pass++)
            {
                foreach (var chunk in cells.Chunk(RecordsPerRequest))
                {
                    if (stop.IsCancellationRequested) return;
                    // Each pass restates every hour, so the backfill keeps changing data rather than re-sending it.
                    var records = chunk.Select(c => Record("backfill", $"b-{c.s}", lastHour.AddHours(-c.h), 1m + ((c.s * 7 + c.h + pass) % 13) / 10m)).ToArray();
                    await PostAsync(http, records, stop);
                    Interlocked.Add(ref sent[0], records.Length);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits until the ingest log is empty and the background verdicts of the history are done.</summary>
    private static async Task SettleAsync(NpgsqlDataSource data)
    {
        var clock = Stopwatch.StartNew();
        while (await ScalarAsync(data, "SELECT count(*) FROM ingest_log") > 0)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("the ingest log did not drain in 5 minutes");
            await Task.Delay(200);
        }

        // 80 services × 504 hours of verdicts at the default 2,000 per second per silo.
        await Task.Delay(TimeSpan.FromSeconds(20));
    }

    private static async Task<bool> RowExistsAsync(NpgsqlDataSource data, string service, DateTime hour)
    {
        await using var command = data.CreateCommand("""SELECT count(*) FROM cost_anomalies WHERE tenant_id = 'fresh' AND service_name = $1 AND "timestamp" = $2""");
        command.Parameters.Add(new NpgsqlParameter { Value = service });
        command.Parameters.Add(new NpgsqlParameter { Value = hour });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    internal static async Task PostAsync(HttpClient http, IReadOnlyCollection<string> records, CancellationToken cancellationToken = default)
    {
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", records) + "]");
        while (true)
        {
            using var content = new ByteArrayContent(body);
            using var response = await http.PostAsync("/api/cloudsentinel/ingest", content, cancellationToken);
            if (response.IsSuccessStatusCode) return;
            // 503 (and 429) say nothing was applied: retry, as the README tells clients to.
            if ((int)response.StatusCode is not (503 or 429)) throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    internal static string Record(string tenant, string service, DateTime hour, decimal cost) =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private static bool ZScoreAbove(string exposition, string service)
    {
        var prefix = $"cloudsentinel_cost_anomaly_zscore{{tenant=\"fresh\",service_name=\"{service}\"}} ";
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is not null && double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture) > 3;
    }

    private static string Row(string name, List<double> idle, List<double> loaded) =>
        $"| {name} | {Ms(Percentile(idle, 0.5))} | {Ms(Percentile(idle, 0.99))} | {Ms(idle.Max())} | {Ms(Percentile(loaded, 0.5))} | {Ms(Percentile(loaded, 0.99))} | {Ms(loaded.Max())} |";

    private static string Ms(double value) => double.IsInfinity(value) ? "> 15 s" : $"{value:0} ms";

    internal static double Percentile(List<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
