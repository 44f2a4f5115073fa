using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudSentinel.Storage.IngestLog;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// The soak: three tenants send 1,500-record requests with restatements, each as fast as it is
/// acknowledged and honouring Retry-After, to three silos and a gateway (processes) on a durable
/// PostgreSQL, with scrapes and console reads alongside, for CLOUDSENTINEL_SOAK_MINUTES (30). At 40 %
/// of the run silo 2 is killed with SIGKILL and started 15 s later; at 70 % PostgreSQL is stopped
/// for 8 s. It samples the apply lag every second and sizes and RSS every 10 s, drains the log at the
/// end (at most 5 minutes) and checks every bucket against its last acknowledged amount.
/// For the first quarter of the run the clients send flat out, so the system measures what it can
/// apply and reports it as DrainPerSecond on /ingest-status; from then on (both faults included)
/// they send at that reported rate, which is where issue 23's lag target applies. The lag figures are
/// given for both phases. CLOUDSENTINEL_SOAK_PACE=flat-out keeps them flat out throughout.
/// </summary>
public static class SoakRun
{
    private static readonly string[] Tenants = ["soak-a", "soak-b", "soak-c"];

    private sealed record Sample(double At, long Backlog, double Lag, long Sequence);

    private sealed record Reported(double At, double DrainPerSecond);

    /// <summary>Messages per request: a request's 1,500 records fold into one message per (tenant, service), 60 of them.</summary>
    private const int MessagesPerRequest = 60;

    private sealed record Sizes(double At, long LogBytes, long LogDead, long CostBytes, Dictionary<string, long> RssKiB);

    public static async Task<string> RunAsync()
    {
        var minutes = double.Parse(Environment.GetEnvironmentVariable("CLOUDSENTINEL_SOAK_MINUTES") ?? "30", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromMinutes(minutes);
        var paced = !string.Equals(Environment.GetEnvironmentVariable("CLOUDSENTINEL_SOAK_PACE"), "flat-out", StringComparison.OrdinalIgnoreCase);
        var server = await SoakPostgres.StartAsync();
        try
        {
            var database = await BenchStack.CreateDatabaseAsync(server.ConnectionString, "soak");
            await using var dataSource = NpgsqlDataSource.Create(database);
            await using var cluster = new ProcessCluster(database, silos: 3);
            await cluster.StartAsync();
            var tenantToken = await TokenAsync(cluster.Http, Tenants[0]);
            var feeds = Tenants.Select(t => new SoakFeed(t)).ToArray();
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();

            var latencies = new List<double>();
            var refusals = new Dictionary<string, int>();
            long ackedRecords = 0;
            var acks = new List<(double At, int Records)>();
            // Requests a second for each client once paced; 0 while flat out.
            var pace = 0.0;
            var senders = feeds.Select(feed => Task.Run(async () =>
            {
                var due = 0.0;
                for (var request = 0; !stop.IsCancellationRequested; request++)
                {
                    var rate = Volatile.Read(ref pace);
                    if (rate > 0)
                    {
                        due = Math.Max(due + 1 / rate, clock.Elapsed.TotalSeconds);
                        var wait = due - clock.Elapsed.TotalSeconds;
                        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait));
                        if (stop.IsCancellationRequested) break;
                    }

                    var body = feed.Body(request);
                    while (true)
                    {
                        var started = clock.Elapsed.TotalSeconds;
                        TimeSpan? wait = null;
                        string outcome;
                        try
                        {
                            using var response = await cluster.Http.PostAsync("/api/cloudsentinel/ingest", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                feed.Acknowledge(request);
                                lock (latencies)
                                {
                                    latencies.Add(clock.Elapsed.TotalSeconds - started);
                                    acks.Add((clock.Elapsed.TotalSeconds, feed.PerRequest));
                                }

                                Interlocked.Add(ref ackedRecords, feed.PerRequest);
                                break;
                            }

                            wait = response.Headers.RetryAfter?.Delta;
                            outcome = $"{(int)response.StatusCode}";
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                        {
                            outcome = "no answer";
                        }

                        lock (refusals) refusals[outcome] = refusals.GetValueOrDefault(outcome) + 1;
                        // Past the deadline a request still gets its 200: what the client holds as sent must be acknowledged.
                        await Task.Delay(wait ?? TimeSpan.FromMilliseconds(500));
                    }
                }
            })).ToArray();

            var samples = new List<Sample>();
            var reported = new List<Reported>();
            var log = new PostgresIngestLogReader(dataSource);
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var reading = await log.ReadAsync(CancellationToken.None);
                        lock (samples) samples.Add(new Sample(clock.Elapsed.TotalSeconds, reading.Backlog, reading.ApplyLagSeconds, reading.LastSequence));
                        using var status = JsonDocument.Parse(await cluster.Http.GetStringAsync("/api/cloudsentinel/ingest-status"));
                        lock (reported) reported.Add(new Reported(clock.Elapsed.TotalSeconds, status.RootElement.GetProperty("drainPerSecond").GetDouble()));
                    }
                    catch (Exception ex) when (ex is NpgsqlException or TimeoutException or HttpRequestException or TaskCanceledException)
                    {
                        // PostgreSQL or the gateway is restarting.
                    }

                    await Task.Delay(1_000);
                }
            });

            var sizes = new List<Sizes>();
            var sizer = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        sizes.Add(await SizesAsync(dataSource, cluster, clock.Elapsed.TotalSeconds));
                    }
                    catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
                    {
                        // PostgreSQL restarting, or a process between kill and start.
                    }

                    await Task.Delay(10_000);
                }
            });

            var scrapes = new List<double>();
            var tenantScrapes = new List<double>();
            var consoleReads = new List<double>();
            using var tenantHttp = new HttpClient { BaseAddress = cluster.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            tenantHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenantToken);
            var reader = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await TimeAsync(cluster.Http, "/api/cloudsentinel/prometheus", scrapes);
                    await TimeAsync(tenantHttp, "/api/cloudsentinel/prometheus", tenantScrapes);
                    await TimeAsync(cluster.Http, $"/api/cloudsentinel/summary?tenant={Tenants[0]}", consoleReads);
                    await Task.Delay(2_000);
                }
            });

            var faults = new List<string>();
            double? pacedAt = null, reportedDrain = null;
            if (paced)
            {
                await Task.Delay(duration * 0.25);
                List<double> lastMinute;
                lock (reported) lastMinute = [.. reported.Where(r => r.At >= clock.Elapsed.TotalSeconds - 60 && r.DrainPerSecond > 0).Select(r => r.DrainPerSecond).Order()];
                if (lastMinute.Count > 0)
                {
                    reportedDrain = Percentile(lastMinute, 0.5);
                    pacedAt = clock.Elapsed.TotalSeconds;
                    Volatile.Write(ref pace, reportedDrain.Value / MessagesPerRequest / feeds.Length);
                }
            }

            await Task.Delay(duration * 0.4 - clock.Elapsed);
            cluster.KillSilo(2);
            var killedAt = clock.Elapsed.TotalSeconds;
            faults.Add($"silo-2 SIGKILL at {clock.Elapsed.TotalMinutes:0.0} min");
            await Task.Delay(TimeSpan.FromSeconds(15));
            cluster.StartSilo(2);
            var untilRestart = duration * 0.7 - clock.Elapsed;
            if (untilRestart > TimeSpan.Zero) await Task.Delay(untilRestart);
            await server.StopAsync();
            var restartedAt = clock.Elapsed.TotalSeconds;
            faults.Add($"PostgreSQL stopped at {clock.Elapsed.TotalMinutes:0.0} min for 8 s");
            await Task.Delay(TimeSpan.FromSeconds(8));
            await server.StartAgainAsync();
            NpgsqlConnection.ClearAllPools();

            await Task.WhenAll(senders);
            await Task.WhenAll(sampler, sizer, reader);
            var loadEnded = clock.Elapsed.TotalSeconds;
            var drain = Stopwatch.StartNew();
            while (await CountAsync(dataSource, "SELECT count(*) FROM ingest_log") > 0)
            {
                if (drain.Elapsed > TimeSpan.FromMinutes(5)) break;
                await Task.Delay(1_000);
            }

            var drained = drain.Elapsed;
            var leftInLog = await CountAsync(dataSource, "SELECT count(*) FROM ingest_log");
            await CountAsync(dataSource, "SELECT 1");
            sizes.Add(await SizesAsync(dataSource, cluster, clock.Elapsed.TotalSeconds));
            var (exact, lost, doubled) = await CompareAsync(dataSource, feeds);
            var deadLetters = await CountAsync(dataSource, "SELECT count(*) FROM ingest_dead_letters");
            return Report(minutes, loadEnded, ackedRecords, acks, latencies, refusals, samples, sizes, scrapes, tenantScrapes, consoleReads, faults,
                drained, leftInLog, exact, lost, doubled, deadLetters, feeds, pacedAt, reportedDrain, [killedAt, restartedAt]);
        }
        finally
        {
            await server.StopAsync();
        }
    }

    private static string Report(
        double minutes, double loadEnded, long ackedRecords, List<(double At, int Records)> acks, List<double> latencies, Dictionary<string, int> refusals,
        List<Sample> samples, List<Sizes> sizes, List<double> scrapes, List<double> tenantScrapes, List<double> consoleReads, List<string> faults,
        TimeSpan drained, long leftInLog, long exact, long lost, long doubled, long deadLetters, SoakFeed[] feeds, double? pacedAt, double? reportedDrain, double[] faultsAt)
    {
        const double recordsPerMessage = 1_500.0 / MessagesPerRequest;
        var applied = samples.Count > 1 ? (samples[^1].Sequence - samples[^1].Backlog - (samples[0].Sequence - samples[0].Backlog)) * recordsPerMessage / (samples[^1].At - samples[0].At) : 0;
        var text = new StringBuilder()
            .AppendLine("## Soak: sustained ingest with a silo kill and a PostgreSQL restart")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {BenchEnvironment.Machine}; load average at the end {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, ")
            .AppendLine(CultureInfo.InvariantCulture, $"`CLOUDSENTINEL_SOAK_MINUTES={minutes.ToString(CultureInfo.InvariantCulture)} dotnet run -c Release --project bench -- soak` (30 minutes by default; this run {minutes:0.#}).")
            .AppendLine("Three silos and a gateway as processes on a throwaway PostgreSQL 15 with durable settings (fsync and synchronous_commit on, stock max_connections 100).")
            .AppendLine("Three tenants, each a client sending 1,500-record NDJSON requests (60 services × 48 hours × 5 accounts per tenant, so every bucket is restated every ~10 requests), honouring Retry-After;")
            .AppendLine(CultureInfo.InvariantCulture, $"an admin scrape, a tenant scrape and a console summary every 2 s. Faults: {string.Join("; ", faults)}. Backpressure at its defaults (lag bound 30 s, cap 200,000 messages).")
            .AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| acknowledged | {ackedRecords:N0} records, {ackedRecords / loadEnded:N0} records/s over {loadEnded / 60:0.0} min |")
            .AppendLine(CultureInfo.InvariantCulture, $"| applied (left the log, in records at 25 per message) | {applied:N0} records/s ({applied / Math.Max(1, ackedRecords / loadEnded):0.00} of acknowledged) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| pace | {(pacedAt is { } at ? $"flat out (back to back) for {at / 60:0.0} min, then {reportedDrain * recordsPerMessage:N0} records/s in all: the drain rate /ingest-status reported over that phase's last minute ({reportedDrain:N0} messages/s)" : "flat out (back to back) throughout")} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| apply lag (1 s samples) p50 / p99 / max, whole run | {Lags(samples, 0, double.MaxValue)} |");
        if (pacedAt is { } start)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| apply lag, flat out (until {start / 60:0.0} min) | {Lags(samples, 0, start)} |")
                .AppendLine(CultureInfo.InvariantCulture, $"| apply lag, at the reported rate (from {start / 60:0.0} min, both faults included) | {Lags(samples, start, double.MaxValue)} |");
        }

        text
            .AppendLine(CultureInfo.InvariantCulture, $"| backlog max | {(samples.Count > 0 ? samples.Max(s => s.Backlog) : 0):N0} messages (cap 200,000) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| answers other than 200 (sent again) | {(refusals.Count == 0 ? "none" : string.Join(", ", refusals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {r.Value:N0}")))} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| 200 latency p50 / p99 | {Percentile(latencies.Order().ToList(), 0.5) * 1000:0} / {Percentile(latencies.Order().ToList(), 0.99) * 1000:0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| admin scrape p50 / p99 | {Percentile(scrapes.Order().ToList(), 0.5) * 1000:0} / {Percentile(scrapes.Order().ToList(), 0.99) * 1000:0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| tenant scrape p50 / p99 | {Percentile(tenantScrapes.Order().ToList(), 0.5) * 1000:0} / {Percentile(tenantScrapes.Order().ToList(), 0.99) * 1000:0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| console summary p50 / p99 | {Percentile(consoleReads.Order().ToList(), 0.5) * 1000:0} / {Percentile(consoleReads.Order().ToList(), 0.99) * 1000:0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| drain after the load | {drained.TotalSeconds:0} s, {leftInLog:N0} messages left |")
            .AppendLine(CultureInfo.InvariantCulture, $"| buckets with their last acknowledged amount | **{exact:N0} of {feeds.Sum(f => f.Acknowledged.Count):N0}**; lost {lost:N0}, double-counted {doubled:N0}; dead letters {deadLetters:N0} |");

        var warm = sizes.Where(s => s.At >= loadEnded / 3).FirstOrDefault();
        var last = sizes.Where(s => s.At <= loadEnded).LastOrDefault();
        if (warm is not null && last is not null)
        {
            // Silo 2 is a new process after its kill, so its growth would compare two processes.
            var growth = string.Join(", ", warm.RssKiB.Keys.Where(p => p != "silo-2" && last.RssKiB.ContainsKey(p)).Order(StringComparer.Ordinal)
                .Select(p => $"{p} {warm.RssKiB[p] / 1024.0:0} → {last.RssKiB[p] / 1024.0:0} MB ({(double)last.RssKiB[p] / warm.RssKiB[p]:0.00}×)"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| RSS from a third of the run ({warm.At / 60:0.0} min) to its end ({last.At / 60:0.0} min) | {growth} |");

            // What a fault adds at once (the killed silo's grains moving over, code paths run for the first
            // time) apart from what grows while nothing fails: before each fault against 90 s after it, and the
            // growth over the stretches in between.
            var survivors = warm.RssKiB.Keys.Where(p => p != "silo-2" && last.RssKiB.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
            long At(string process, double seconds, bool before)
            {
                var sample = before ? sizes.LastOrDefault(s => s.At <= seconds && s.RssKiB.ContainsKey(process)) : sizes.FirstOrDefault(s => s.At >= seconds && s.RssKiB.ContainsKey(process));
                return sample?.RssKiB[process] ?? 0;
            }

            var steps = string.Join(", ", survivors.Select(p => $"{p} " + string.Join(" / ", faultsAt.Select(f => $"{(At(p, f + 90, before: false) - At(p, f, before: true)) / 1024.0:+0;-0} MB"))));
            text.AppendLine(CultureInfo.InvariantCulture, $"| RSS step at the silo kill / the PostgreSQL restart (just before against 90 s after) | {steps} |");
            var calm = string.Join(", ", survivors.Select(p =>
            {
                var edges = new List<(double From, double To)>();
                var from = warm.At;
                foreach (var f in faultsAt.Where(f => f > warm.At).Order())
                {
                    edges.Add((from, f));
                    from = f + 90;
                }

                edges.Add((from, last.At));
                var grown = edges.Where(e => e.To > e.From).Sum(e => At(p, e.To, before: true) - At(p, e.From, before: false));
                return $"{p} {(warm.RssKiB[p] + grown) / (double)warm.RssKiB[p]:0.00}× ({grown / 1024.0:+0;-0} MB)";
            }));
            text.AppendLine(CultureInfo.InvariantCulture, $"| RSS growth over the same span without the faults' steps (the stretches between them added up) | {calm} |");
        }

        text.AppendLine()
            .AppendLine("Over time (one row a minute; the silo that was killed starts again with a new process, so its RSS starts again):")
            .AppendLine()
            .AppendLine("| minute | acknowledged records/s | apply lag max (s) | backlog (messages) | ingest_log size (MB) | its dead tuples | service_costs (MB) | RSS silo-1 / 2 / 3 / gateway (MB) |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        for (var minute = 0; minute * 60 < loadEnded; minute++)
        {
            var (from, to) = (minute * 60.0, (minute + 1) * 60.0);
            var records = acks.Where(a => a.At >= from && a.At < to).Sum(a => a.Records);
            var inMinute = samples.Where(s => s.At >= from && s.At < to).ToList();
            var size = sizes.LastOrDefault(s => s.At < to);
            if (size is null) continue;
            string Rss(string p) => size.RssKiB.TryGetValue(p, out var kib) ? (kib / 1024.0).ToString("0", CultureInfo.InvariantCulture) : "—";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {minute + 1} | {records / Math.Min(60, loadEnded - from):N0} | {(inMinute.Count > 0 ? inMinute.Max(s => s.Lag) : double.NaN):0.0} | {(inMinute.Count > 0 ? inMinute[^1].Backlog : 0):N0} | {size.LogBytes / 1e6:0.0} | {size.LogDead:N0} | {size.CostBytes / 1e6:0.0} | {Rss("silo-1")} / {Rss("silo-2")} / {Rss("silo-3")} / {Rss("gateway")} |");
        }

        return text.ToString();
    }

    private static string Lags(List<Sample> samples, double from, double to)
    {
        var lags = samples.Where(s => s.At >= from && s.At < to).Select(s => s.Lag).Order().ToList();
        return lags.Count == 0 ? "no samples" : string.Create(CultureInfo.InvariantCulture, $"{Percentile(lags, 0.5):0.0} / {Percentile(lags, 0.99):0.0} / {lags[^1]:0.0} s");
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task TimeAsync(HttpClient http, string path, List<double> into)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            if (response.IsSuccessStatusCode) into.Add(clock.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The gateway or PostgreSQL restarting: not a latency.
        }
    }

    private static async Task<string> TokenAsync(HttpClient admin, string tenant)
    {
        var created = await admin.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant, roles = new[] { "read" } });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<Sizes> SizesAsync(NpgsqlDataSource dataSource, ProcessCluster cluster, double at)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT pg_total_relation_size('ingest_log'), coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'ingest_log'), 0),
                   pg_total_relation_size('service_costs')
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var rss = new Dictionary<string, long>();
        foreach (var (name, pid) in cluster.RunningProcesses())
        {
            try
            {
                rss[name] = BenchEnvironment.ProcStatusKiB(pid.ToString(CultureInfo.InvariantCulture), "VmRSS");
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // Exited between the listing and the read (a process that has exited but not been reaped has no VmRSS line).
            }
        }

        return new Sizes(at, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), rss);
    }

    /// <summary>Retried a few times: after the restart the pool may still hold connections to the server that was stopped.</summary>
    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = dataSource.CreateCommand(sql);
                return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
            catch (NpgsqlException) when (attempt < 10)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task<(long Exact, long Lost, long Doubled)> CompareAsync(NpgsqlDataSource dataSource, SoakFeed[] feeds)
    {
        long exact = 0, lost = 0, doubled = 0;
        foreach (var feed in feeds)
        {
            var held = new Dictionary<(string, DateTime, string), decimal>();
            await using var command = dataSource.CreateCommand("SELECT service_name, \"timestamp\", account_id, cost_usd FROM service_costs WHERE tenant_id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = feed.Tenant });
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) held[(reader.GetString(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc), reader.GetString(2))] = reader.GetDecimal(3);
            }

            foreach (var (key, amount) in feed.Acknowledged)
            {
                if (!held.TryGetValue(key, out var have)) lost++;
                else if (have == amount) exact++;
                else if (have < amount) lost++;
                else doubled++;
            }

            doubled += held.Keys.Count(k => !feed.Acknowledged.ContainsKey(k));
        }

        return (exact, lost, doubled);
    }
}
