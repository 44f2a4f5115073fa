using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudSentinel.Anomalies;
using CloudSentinel.Anomalies.Evaluation;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 19, item 4, through the real grain path: the quality harness's paging scenario
/// (<c>SeriesGenerator.Generate(seed, service)</c>: 160 services × 35 days, 100 events in the last 12
/// days), moved to end at the hour that just ended, is sent through HTTP ingest into three silos on a
/// durable PostgreSQL, once in time order (each hour's first value, then its restatements as they land)
/// and once as a backfill of the final values in shuffled chunks, each under its own tenant. Hours
/// before a series' <see cref="LabelledSeries.FirstHour"/> hold no data and are not sent. When the
/// verdicts have settled, cost_anomalies is read back and scored with the harness's own
/// <see cref="Scoring"/>, next to the harness's in-process verdicts on the same final data
/// (<see cref="QualityEvaluator.Flags"/>) and the naive rule; every hour where a grain-path feed and
/// the in-process verdicts differ is listed.
/// </summary>
public static class GrainPathBenchmark
{
    private const int Seed = 42;
    private const int RecordsPerRequest = 2_000;

    /// <summary>Rows that have not changed for this long, with the ingest log empty, count as settled (the background budget drains newest first, so the last hours judged are the oldest, where flags are rare).</summary>
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(6);

    public static async Task<string> RunAsync()
    {
        var scenario = SeriesScenario.Paging;
        var hours = scenario.Hours;
        var currentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
        // Index h of every series is sent as this hour: the detector reads lags, not the calendar, so the shift changes no verdict.
        var firstHour = currentHour.AddHours(-hours);
        var series = Enumerable.Range(0, scenario.Services).Select(s => SeriesGenerator.Generate(Seed, s)).ToArray();
        var detector = new AnomalyDetector();
        var inProcess = new bool[series.Length][];
        var naive = new bool[series.Length][];
        Parallel.For(0, series.Length, s =>
        {
            inProcess[s] = QualityEvaluator.Flags(series[s], detector);
            naive[s] = NaiveFlags(series[s]);
        });

        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        try
        {
            var database = await BenchStack.CreateDatabaseAsync(server, "bench_grainpath");
            // Retention above the 35 days sent, so that pruning never moves a service's first hour during the run.
            await using var cluster = new ProcessCluster(database, silos: 3, new Dictionary<string, string> { ["ServiceCosts__Retention"] = "40.00:00:00" });
            await cluster.StartAsync();
            await using var data = NpgsqlDataSource.Create(database);

            var runs = new List<Run>();
            foreach (var (feed, tenant) in new[] { ("time order", "gp-time"), ("shuffled chunks", "gp-shuffled") })
            {
                Console.WriteLine($"grain path: {series.Length} services × {scenario.Days} days in {feed}");
                var clock = Stopwatch.StartNew();
                var requests = feed == "time order" ? TimeOrder(tenant, series, firstHour) : ShuffledChunks(tenant, series, firstHour);
                foreach (var request in requests) await FreshnessBenchmark.PostAsync(cluster.Http, request);
                var sent = clock.Elapsed;
                var (flags, same) = await SettleAsync(data, tenant, firstHour, hours, inProcess);
                runs.Add(new Run(feed, flags, sent, clock.Elapsed, same));
                Console.WriteLine($"grain path: {feed} sent in {sent.TotalSeconds:0} s, settled after {clock.Elapsed.TotalSeconds:0} s, same as in process: {same}");
            }

            var scores = runs.Select(r => Score($"ours, grain path, {r.Feed}", series, r.Flags))
                .Append(Score("ours, in process (harness), final data", series, inProcess))
                .Append(Score(QualityEvaluator.Naive + ", in process, final data", series, naive))
                .ToList();
            return Report(series, firstHour, runs, scores, inProcess);
        }
        finally
        {
            await stopPostgres();
        }
    }

    private sealed record Run(string Feed, bool[][] Flags, TimeSpan Sent, TimeSpan Settled, bool SameAsInProcess);

    /// <summary>The naive rule (|z| > 3 against the trailing week) on every hour of the final data.</summary>
    private static bool[] NaiveFlags(LabelledSeries labelled)
    {
        var view = new LabelledSeriesView(labelled);
        var flags = new bool[labelled.Final.Length];
        for (var h = labelled.FirstHour; h < flags.Length; h++)
        {
            flags[h] = NaiveDetector.Evaluate(view, view.HourOf(h)) is { } n && Math.Abs(n.Z) > NaiveDetector.Threshold;
        }

        return flags;
    }

    /// <summary>Six hours at a time as a live feed would: first values, then, in requests of their own, the restatements that land with them.</summary>
    private static IEnumerable<string[]> TimeOrder(string tenant, LabelledSeries[] series, DateTime firstHour)
    {
        var hours = series[0].Final.Length;
        for (var clock = 0; clock < hours; clock += 6)
        {
            var first = new List<string>();
            var restated = new List<string>();
            for (var s = 0; s < series.Length; s++)
            {
                var l = series[s];
                for (var h = Math.Max(clock, l.FirstHour); h < clock + 6; h++) first.Add(FreshnessBenchmark.Record(tenant, $"svc-{s}", firstHour.AddHours(h), l.Initial[h]));
                foreach (var r in l.Restatements)
                {
                    if (r.LandsAt >= clock && r.LandsAt < clock + 6) restated.Add(FreshnessBenchmark.Record(tenant, $"svc-{s}", firstHour.AddHours(r.Hour), r.Usd));
                }
            }

            foreach (var chunk in first.Chunk(RecordsPerRequest)) yield return chunk;
            // Records of one key in one request add up, so a restatement never shares a request with the value it replaces.
            foreach (var chunk in restated.Chunk(RecordsPerRequest)) yield return chunk;
        }
    }

    /// <summary>The final values in chunks of 1 to 48 hours of one service, in random order.</summary>
    private static IEnumerable<string[]> ShuffledChunks(string tenant, LabelledSeries[] series, DateTime firstHour)
    {
        var random = new Random(Seed);
        var chunks = new List<(int Service, int From, int To)>();
        for (var s = 0; s < series.Length; s++)
        {
            for (var from = series[s].FirstHour; from < series[s].Final.Length;)
            {
                var to = Math.Min(series[s].Final.Length, from + random.Next(1, 49));
                chunks.Add((s, from, to));
                from = to;
            }
        }

        var records = chunks.OrderBy(_ => random.Next())
            .SelectMany(c => Enumerable.Range(c.From, c.To - c.From).Select(h => FreshnessBenchmark.Record(tenant, $"svc-{c.Service}", firstHour.AddHours(h), series[c.Service].Final[h])));
        return records.Chunk(RecordsPerRequest);
    }

    /// <summary>
    /// Waits until the ingest log is empty and the tenant's rows either equal the in-process verdicts on the
    /// final data or have not changed for <see cref="Stable"/> (at most <see cref="MaxSettle"/>), and returns them as flags.
    /// </summary>
    private static async Task<(bool[][] Flags, bool SameAsInProcess)> SettleAsync(NpgsqlDataSource data, string tenant, DateTime firstHour, int hours, bool[][] inProcess)
    {
        var deadline = Stopwatch.StartNew();
        var expected = Key(inProcess);
        string? last = null;
        var stable = Stopwatch.StartNew();
        while (deadline.Elapsed < MaxSettle)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await using (var pending = data.CreateCommand("SELECT count(*) FROM ingest_log"))
            {
                if (Convert.ToInt64(await pending.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0)
                {
                    stable.Restart();
                    continue;
                }
            }

            var flags = await FlagsAsync(data, tenant, firstHour, inProcess.Length, hours);
            var key = Key(flags);
            if (key == expected) return (flags, true);
            if (key != last)
            {
                last = key;
                stable.Restart();
            }
            else if (stable.Elapsed >= Stable)
            {
                return (flags, false);
            }
        }

        return (await FlagsAsync(data, tenant, firstHour, inProcess.Length, hours), false);
    }

    private static string Key(bool[][] flags) =>
        string.Join(";", flags.Select((f, s) => string.Join(",", Enumerable.Range(0, f.Length).Where(h => f[h]).Select(h => $"{s}:{h}"))));

    private static async Task<bool[][]> FlagsAsync(NpgsqlDataSource data, string tenant, DateTime firstHour, int services, int hours)
    {
        var flags = Enumerable.Range(0, services).Select(_ => new bool[hours]).ToArray();
        await using var command = data.CreateCommand("""SELECT service_name, "timestamp" FROM cost_anomalies WHERE tenant_id = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var service = int.Parse(reader.GetString(0)["svc-".Length..], CultureInfo.InvariantCulture);
            var hour = (int)(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc) - firstHour).TotalHours;
            // The hour running when the benchmark started ends during it and is judged with nothing sent: not part of the series.
            if (hour >= 0 && hour < hours) flags[service][hour] = true;
        }

        return flags;
    }

    private static DetectionScore Score(string name, LabelledSeries[] series, bool[][] flags)
    {
        var total = new DetectionCounts();
        for (var s = 0; s < series.Length; s++) total.Add(Scoring.Score(series[s], flags[s]));
        return total.ToScore(name);
    }

    /// <summary>Hours flagged by one side only, as "svc-S hour (UTC) +|−" (+: only in <paramref name="a"/>).</summary>
    private static List<string> Differences(bool[][] a, bool[][] b, DateTime firstHour)
    {
        var differences = new List<string>();
        for (var s = 0; s < a.Length; s++)
        {
            for (var h = 0; h < a[s].Length; h++)
            {
                if (a[s][h] != b[s][h]) differences.Add(FormattableString.Invariant($"svc-{s} h{h} ({firstHour.AddHours(h):yyyy-MM-dd HH}:00) {(a[s][h] ? "+" : "−")}"));
            }
        }

        return differences;
    }

    private static string Report(LabelledSeries[] series, DateTime firstHour, List<Run> runs, List<DetectionScore> scores, bool[][] inProcess)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        string Listed(List<string> d) => d.Count == 0 ? "none" : string.Join(", ", d.Take(40)) + (d.Count > 40 ? $", … ({d.Count} in all)" : "");
        Line($"## Anomaly quality through the grain path (issue 19)");
        md.AppendLine();
        Line($"Machine: {BenchEnvironment.Machine}; 1-minute load average {BenchEnvironment.LoadAverage()} at the end. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release, `dotnet run -c Release --project bench -- grainpath`.");
        Line($"Detector: `AnomalyDetector` with `AnomalyOptions.Default` as merged from a19math (hour, sustained and ramp rules, docs/anomalies.md). Series: the harness's paging scenario, `SeriesGenerator.Generate({Seed}, 0..{series.Length - 1})`, {series.Length} services × {series[0].Final.Length} hours, {series.Sum(s => s.Events.Count)} labelled events, {series.Sum(s => s.Restatements.Count)} restatements, hour 0 sent as {firstHour:yyyy-MM-dd HH}:00 UTC (so the last hour is the one that had just ended); hours before a service's first hour not sent.");
        Line($"Three silos and a gateway as processes, PostgreSQL with fsync on (PG_DURABLE=1); each feed under its own tenant; verdicts read back from cost_anomalies once the ingest log was empty and the rows equal the in-process verdicts or had not changed for {Stable.TotalSeconds:0} s. Scored with the harness's `Scoring.Score`; the in-process rows are `QualityEvaluator.Flags` on the same final data.");
        md.AppendLine();
        Line($"| feed | sent in | settled after | rows equal the in-process verdicts |");
        Line($"|---|---:|---:|---|");
        foreach (var r in runs) Line($"| {r.Feed} | {r.Sent.TotalSeconds:0} s | {r.Settled.TotalSeconds:0} s | {(r.SameAsInProcess ? "yes" : "no")} |");
        md.AppendLine();
        Line($"Flagged hours: in process {inProcess.Sum(f => f.Count(x => x))}, {string.Join(", ", runs.Select(r => FormattableString.Invariant($"{r.Feed} {r.Flags.Sum(f => f.Count(x => x))}")))}.");
        foreach (var r in runs) Line($"Differences, {r.Feed} vs in process (+ only on the grain path, − only in process): {Listed(Differences(r.Flags, inProcess, firstHour))}.");
        if (runs.Count == 2) Line($"Differences, time order vs shuffled chunks (+ only in time order): {Listed(Differences(runs[0].Flags, runs[1].Flags, firstHour))}.");
        md.AppendLine();
        Line($"| detector, feed | precision | recall | F1 | detected / events | false-positive hours | FP hours / service / month | delay mean / median / max (h) |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var d in scores)
        {
            Line($"| {d.Detector} | {d.Precision:0.000} | {d.Recall:0.000} | {d.F1:0.000} | {d.Detected} / {d.Events} | {d.FalsePositives} | {d.FalsePositivesPerServiceMonth:0.00} | {d.All.MeanDelayHours:0.0} / {d.All.MedianDelayHours} / {d.All.MaxDelayHours} |");
        }

        md.AppendLine();
        var (ours, naive) = (scores[0], scores[^1]);
        Line($"Against the naive rule on the same series in the same run: F1 {ours.F1 / naive.F1:0.0}× the naive ({ours.F1:0.000} vs {naive.F1:0.000}), false-positive hours {ours.FalsePositives} vs {naive.FalsePositives}. Of the {runs[0].Flags.Sum(f => f.Count(x => x))} hours flagged in time order, {runs[0].Flags.Sum(f => f.Count(x => x)) - ours.FalsePositives} lie inside labelled events' spans and recovery, where the scoring neither credits nor counts them (each event counts once).");
        md.AppendLine();
        Line($"| kind: recall (detected / events), delay to first flag mean / median / max (h) | {string.Join(" | ", scores.Select(s => s.Detector))} |");
        Line($"|---|{string.Concat(scores.Select(_ => "---:|"))}");
        foreach (var kind in Enum.GetValues<AnomalyKind>())
        {
            var cells = scores.Select(s => s.ByKind[kind] is var k
                ? FormattableString.Invariant($"{k.Recall:0.00} ({k.Detected} / {k.Events}), {k.MeanDelayHours:0.0} / {k.MedianDelayHours} / {k.MaxDelayHours}")
                : "");
            Line($"| {kind} | {string.Join(" | ", cells)} |");
        }

        return md.ToString();
    }
}
