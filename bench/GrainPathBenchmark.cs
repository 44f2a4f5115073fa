using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudSentinel.Anomalies;
using CloudSentinel.Anomalies.Evaluation;
using CloudSentinel.Tests.Shared;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 19, item 4, through the real grain path: the quality harness's series (SeriesGenerator), their
/// first 35 days (where the harness puts its events) moved to end at the hour that just ended, are sent through HTTP ingest into three silos
/// on a durable PostgreSQL, once in time order (each hour's first value, then its restatements as they
/// land) and once as a backfill of the final values in shuffled chunks, each under its own tenant. When
/// the verdicts have settled, cost_anomalies is read back and scored with the harness's own scoring,
/// next to the naive rule and our detector run in memory on the same final data.
/// </summary>
public static class GrainPathBenchmark
{
    private const int Seed = 42;
    private const int Services = 160;
    private const int Days = 35;
    private const int Hours = Days * 24;
    private const int RecordsPerRequest = 2_000;

    public static async Task<string> RunAsync()
    {
        var currentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
        var firstHour = currentHour.AddHours(-Hours);
        var series = Enumerable.Range(0, Services).Select(s => Window.Of(SeriesGenerator.Generate(Seed, s))).ToArray();
        var detector = new AnomalyDetector();
        var inMemory = series.Select(w => Flags(w, h => detector.Evaluate(w.Final(firstHour), firstHour.AddHours(h)).IsAnomaly)).ToArray();
        var naive = series.Select(w => Flags(w, h => NaiveDetector.Evaluate(w.Final(firstHour), firstHour.AddHours(h)) is { } n && Math.Abs(n.Z) > NaiveDetector.Threshold)).ToArray();

        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        try
        {
            var database = await BenchStack.CreateDatabaseAsync(server, "bench_grainpath");
            // Retention above the 35 days sent, so that pruning never moves a service's first hour during the run.
            await using var cluster = new ProcessCluster(database, silos: 3, new Dictionary<string, string> { ["ServiceCosts__Retention"] = "40.00:00:00" });
            await cluster.StartAsync();
            await using var data = NpgsqlDataSource.Create(database);

            var runs = new List<(string Feed, bool[][] Flags, TimeSpan Sent, TimeSpan Settled, bool SameAsInMemory)>();
            foreach (var (feed, tenant) in new[] { ("time order", "gp-time"), ("shuffled chunks", "gp-shuffled") })
            {
                Console.WriteLine($"grain path: {Services} services × {Days} days in {feed}");
                var clock = Stopwatch.StartNew();
                var requests = feed == "time order" ? TimeOrder(tenant, series, firstHour) : ShuffledChunks(tenant, series, firstHour);
                foreach (var request in requests) await FreshnessBenchmark.PostAsync(cluster.Http, request);
                var sent = clock.Elapsed;
                var (flags, same) = await SettleAsync(data, tenant, firstHour, inMemory);
                runs.Add((feed, flags, sent, clock.Elapsed, same));
                Console.WriteLine($"grain path: {feed} sent in {sent.TotalSeconds:0} s, settled after {clock.Elapsed.TotalSeconds:0} s, same as in memory: {same}");
            }

            var scores = runs.Select(r => Score($"ours, grain path, {r.Feed}", series, r.Flags))
                .Append(Score("ours, in memory, final data", series, inMemory))
                .Append(Score(QualityEvaluator.Naive + ", in memory, final data", series, naive))
                .ToList();
            return Report(series, runs.Select(r => (r.Feed, r.Sent, r.Settled, r.SameAsInMemory)).ToList(), scores, runs[0].Flags, runs[1].Flags);
        }
        finally
        {
            await stopPostgres();
        }
    }

    /// <summary>The first <see cref="Hours"/> hours of a generated series and the events that can be scored in them.</summary>
    private sealed record Window(LabelledSeries Series, int Offset, List<InjectedEvent> Events, bool[] Ignored)
    {
        public static Window Of(LabelledSeries series)
        {
            // The harness places its events from hour 240 on, spaced by their recoveries: most of them fall in the first weeks.
            const int offset = 0;
            var warmUp = (int)AnomalyOptions.Default.WarmUp.TotalHours;
            var events = new List<InjectedEvent>();
            var ignored = new bool[Hours];
            foreach (var e in series.Events)
            {
                var shifted = e with { Onset = e.Onset - offset, IgnoreUntil = e.IgnoreUntil - offset };
                if (shifted.IgnoreUntil <= 0) continue;
                // An event before the detector can judge, or cut off by either end, is neither credited nor held against it.
                if (shifted.Onset >= warmUp && shifted.IgnoreUntil <= Hours && shifted.Onset + shifted.DetectionHours <= Hours) events.Add(shifted);
                else for (var h = Math.Max(0, shifted.Onset); h < Math.Min(Hours, shifted.IgnoreUntil); h++) ignored[h] = true;
            }

            return new Window(series, offset, events, ignored);
        }

        public decimal FinalAt(int hour) => Series.Final[Offset + hour];

        public IHourlySeries Final(DateTime firstHour) =>
            HourlySeries.From(firstHour, at => (at - firstHour).TotalHours is var h && h >= 0 && h < Hours ? FinalAt((int)h) : 0m);
    }

    private static bool[] Flags(Window window, Func<int, bool> flagged) => Enumerable.Range(0, Hours).Select(flagged).ToArray();

    /// <summary>Six hours at a time as a live feed would: first values, then, in requests of their own, the restatements that land with them.</summary>
    private static IEnumerable<string[]> TimeOrder(string tenant, Window[] series, DateTime firstHour)
    {
        for (var clock = 0; clock < Hours; clock += 6)
        {
            var first = new List<string>();
            var restated = new List<string>();
            for (var s = 0; s < series.Length; s++)
            {
                var w = series[s];
                for (var h = clock; h < clock + 6; h++) first.Add(FreshnessBenchmark.Record(tenant, $"svc-{s}", firstHour.AddHours(h), w.Series.Initial[w.Offset + h]));
                foreach (var r in w.Series.Restatements)
                {
                    if (r.Hour >= w.Offset && r.LandsAt - w.Offset >= clock && r.LandsAt - w.Offset < clock + 6) restated.Add(FreshnessBenchmark.Record(tenant, $"svc-{s}", firstHour.AddHours(r.Hour - w.Offset), r.Usd));
                }
            }

            foreach (var chunk in first.Chunk(RecordsPerRequest)) yield return chunk;
            // Records of one key in one request add up, so a restatement never shares a request with the value it replaces.
            foreach (var chunk in restated.Chunk(RecordsPerRequest)) yield return chunk;
        }
    }

    /// <summary>The final values in chunks of 1 to 48 hours of one service, in random order.</summary>
    private static IEnumerable<string[]> ShuffledChunks(string tenant, Window[] series, DateTime firstHour)
    {
        var random = new Random(Seed);
        var chunks = new List<(int Service, int From, int To)>();
        for (var s = 0; s < series.Length; s++)
        {
            for (var from = 0; from < Hours;)
            {
                var to = Math.Min(Hours, from + random.Next(1, 49));
                chunks.Add((s, from, to));
                from = to;
            }
        }

        var records = chunks.OrderBy(_ => random.Next())
            .SelectMany(c => Enumerable.Range(c.From, c.To - c.From).Select(h => FreshnessBenchmark.Record(tenant, $"svc-{c.Service}", firstHour.AddHours(h), series[c.Service].FinalAt(h))));
        return records.Chunk(RecordsPerRequest);
    }

    /// <summary>
    /// Waits until the ingest log is empty and the tenant's rows either equal the in-memory verdicts on the
    /// final data or have not changed for 30 s (at most 8 minutes), and returns them as flags.
    /// </summary>
    private static async Task<(bool[][] Flags, bool SameAsInMemory)> SettleAsync(NpgsqlDataSource data, string tenant, DateTime firstHour, bool[][] inMemory)
    {
        var deadline = Stopwatch.StartNew();
        var expected = Key(inMemory);
        string? last = null;
        var stable = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(8))
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

            var flags = await FlagsAsync(data, tenant, firstHour);
            var key = Key(flags);
            if (key == expected) return (flags, true);
            if (key != last)
            {
                last = key;
                stable.Restart();
            }
            else if (stable.Elapsed >= TimeSpan.FromSeconds(30))
            {
                return (flags, false);
            }
        }

        return (await FlagsAsync(data, tenant, firstHour), false);
    }

    private static string Key(bool[][] flags) =>
        string.Join(";", flags.Select((f, s) => string.Join(",", Enumerable.Range(0, f.Length).Where(h => f[h]).Select(h => $"{s}:{h}"))));

    private static async Task<bool[][]> FlagsAsync(NpgsqlDataSource data, string tenant, DateTime firstHour)
    {
        var flags = Enumerable.Range(0, Services).Select(_ => new bool[Hours]).ToArray();
        await using var command = data.CreateCommand("""SELECT service_name, "timestamp" FROM cost_anomalies WHERE tenant_id = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var service = int.Parse(reader.GetString(0)["svc-".Length..], CultureInfo.InvariantCulture);
            var hour = (int)(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc) - firstHour).TotalHours;
            if (hour is >= 0 and < Hours) flags[service][hour] = true;
        }

        return flags;
    }

    /// <summary>Scores flags with the harness's FlagTrack: flags inside the span of an event that cannot be scored are left out.</summary>
    private static (DetectionScore Total, Dictionary<AnomalyKind, double> MeanDelay) Score(string name, Window[] series, bool[][] flags)
    {
        var total = new DetectionCounts();
        var delays = Enum.GetValues<AnomalyKind>().ToDictionary(k => k, _ => new List<int>());
        for (var s = 0; s < series.Length; s++)
        {
            var track = new FlagTrack(Hours);
            // The clock of a flag is its own hour: verdicts depend on the data, not on when it arrived, so the delay is in data hours.
            for (var h = 0; h < Hours; h++) track.Record(h, flags[s][h] && !series[s].Ignored[h], h);
            total.Add(track.Score(series[s].Events));
            foreach (var kind in delays.Keys) delays[kind].AddRange(track.Score([.. series[s].Events.Where(e => e.Kind == kind)]).Delays);
        }

        return (total.ToScore(name), delays.ToDictionary(d => d.Key, d => d.Value.Count == 0 ? double.NaN : d.Value.Average()));
    }

    private static string Report(Window[] series, List<(string Feed, TimeSpan Sent, TimeSpan Settled, bool Same)> runs,
        List<(DetectionScore Total, Dictionary<AnomalyKind, double> MeanDelay)> scores, bool[][] timeOrder, bool[][] shuffled)
    {
        var months = Hours / 720.0;
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"## Anomaly quality through the grain path (issue 19)");
        md.AppendLine();
        Line($"Machine: {BenchEnvironment.Machine}, shared with other engineers' builds and tests while it ran. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release, `dotnet run -c Release --project bench -- grainpath`.");
        Line($"Detector: `AnomalyDetector` with `AnomalyOptions.Default` as on branch a19grain (the seasonal robust z-score of issue 5; a19math's detector is not merged yet). Harness series: `SeriesGenerator.Generate({Seed}, 0..{Services - 1})`, their first {Days} days, {series.Sum(s => s.Events.Count)} scorable events.");
        Line($"Three silos and a gateway as processes, PostgreSQL with fsync on; each feed under its own tenant; verdicts read back from cost_anomalies once the ingest log was empty and the rows equal the in-memory verdicts or stopped changing for 30 s.");
        md.AppendLine();
        Line($"| feed | sent in | settled after | rows equal the in-memory verdicts on the final data |");
        Line($"|---|---:|---:|---|");
        foreach (var r in runs) Line($"| {r.Feed} | {r.Sent.TotalSeconds:0} s | {r.Settled.TotalSeconds:0} s | {(r.Same ? "yes" : "no")} |");
        Line($"Time order and shuffled chunks left {(Key(timeOrder) == Key(shuffled) ? "identical" : "different")} rows ({timeOrder.Sum(f => f.Count(x => x))} and {shuffled.Sum(f => f.Count(x => x))} flagged hours).");
        md.AppendLine();
        Line($"| detector, feed | precision | recall | F1 | detected / events | false-positive hours | FP hours / service / month | mean delay (h) |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (d, _) in scores)
        {
            Line($"| {d.Detector} | {d.Precision:0.000} | {d.Recall:0.000} | {d.F1:0.000} | {d.Detected} / {d.Events} | {d.FalsePositives} | {d.FalsePositives / (double)Services / months:0.00} | {d.MeanDelayHours:0.0} |");
        }

        md.AppendLine();
        Line($"| recall by kind (mean delay to the first flag, h) | {string.Join(" | ", scores.Select(s => s.Total.Detector))} |");
        Line($"|---|{string.Concat(scores.Select(_ => "---:|"))}");
        foreach (var kind in Enum.GetValues<AnomalyKind>())
        {
            var cells = scores.Select(s => (s.Total.ByKind[kind], s.MeanDelay[kind]) is var ((events, detected), delay)
                ? FormattableString.Invariant($"{detected} / {events} ({(double.IsNaN(delay) ? "–" : delay.ToString("0.0", CultureInfo.InvariantCulture))})")
                : "");
            Line($"| {kind} | {string.Join(" | ", cells)} |");
        }

        return md.ToString();
    }
}
