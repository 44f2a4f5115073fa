using System.Globalization;
using CloudSentinel.Anomalies.Evaluation;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// Anomaly verdicts are a function of the data, not of the order it arrived in (ARCHITECTURE.md,
/// "Anomaly verdicts"): the same harness series sent through HTTP ingest in time order, in reverse,
/// in random chunks and with a silo restart halfway leave the same rows in cost_anomalies.
/// Each order runs under its own tenant in one stack, so the rows compare directly.
/// </summary>
public sealed class ArrivalOrderTests : IAsyncLifetime
{
    private const int Services = 8;
    private const int Days = 28;
    private const int Hours = Days * 24;
    /// <summary>The four orders must all run within one UTC hour: the hour that ends meanwhile gets its verdict in the later orders only.</summary>
    private static readonly TimeSpan LongestRun = TimeSpan.FromMinutes(6);
    private DateTime _firstHour;
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync()
    {
        var now = DateTime.UtcNow;
        var currentHour = now.Date.AddHours(now.Hour);
        if (currentHour.AddHours(1) - now < LongestRun)
        {
            await Task.Delay(currentHour.AddHours(1) - now + TimeSpan.FromSeconds(2));
            currentHour = currentHour.AddHours(1);
        }

        _firstHour = currentHour.AddHours(-Hours);
        _stack = await CloudSentinelStack.StartAsync();
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    /// <summary>
    /// The last <see cref="Hours"/> hours of harness series, moved to end at the hour that just ended,
    /// each with a 5× spike on a different day of its last week (outside its own labelled event, which
    /// a spike inside would hide) so that every service has anomalies to agree on; the tiny one's spike
    /// stays under the cost floor, so it must have none.
    /// </summary>
    private static readonly LabelledSeries[] Series = Enumerable.Range(0, Services).Select(s => WithSpike(SeriesGenerator.Generate(42, s), s)).ToArray();

    private static LabelledSeries WithSpike(LabelledSeries series, int service)
    {
        var hour = series.Final.Length - 24 * (service % 7 + 1) - 5;
        while (series.Events.Any(e => hour >= e.Onset - 24 && hour < e.IgnoreUntil)) hour -= 24;
        var (initial, final) = (series.Initial.ToArray(), series.Final.ToArray());
        // The spike hour's restatements are dropped, so its final value is its first.
        initial[hour] *= 5;
        final[hour] = initial[hour];
        return series with { Initial = initial, Final = final, Restatements = [.. series.Restatements.Where(r => r.Hour != hour)] };
    }

    private static int Offset(LabelledSeries series) => series.Final.Length - Hours;

    private string Rec(string tenant, int service, int hour, decimal usd) =>
        $$"""{"tenant":"{{tenant}}","service_name":"svc-{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{_firstHour.AddHours(hour):yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{usd.ToString(CultureInfo.InvariantCulture)}}}""";

    private async Task SendAsync(IEnumerable<string> records)
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", records) + "]");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Six hours at a time as a live feed would: the hours' first values, then in a request of their own
    /// (records of one key in one request add up) the restatements due with them.
    /// </summary>
    private async Task SendInTimeOrderAsync(string tenant)
    {
        for (var clock = 0; clock < Hours; clock += 6)
        {
            var records = new List<string>();
            var restated = new List<string>();
            for (var s = 0; s < Services; s++)
            {
                var series = Series[s];
                var offset = Offset(series);
                for (var h = clock; h < clock + 6; h++) records.Add(Rec(tenant, s, h, series.Initial[offset + h]));
                foreach (var r in series.Restatements.Where(r => r.LandsAt - offset >= clock && r.LandsAt - offset < clock + 6 && r.Hour >= offset))
                {
                    restated.Add(Rec(tenant, s, r.Hour - offset, r.Usd));
                }
            }

            await SendAsync(records);
            if (restated.Count > 0) await SendAsync(restated);
        }
    }

    /// <summary>Chunks of (service, hour range) of the final values, in the order given.</summary>
    private async Task SendChunksAsync(string tenant, IEnumerable<(int Service, int From, int To)> chunks)
    {
        foreach (var batch in chunks.Chunk(4))
        {
            await SendAsync(batch.SelectMany(c => Enumerable.Range(c.From, c.To - c.From)
                .Select(h => Rec(tenant, c.Service, h, Series[c.Service].Final[Offset(Series[c.Service]) + h]))));
        }
    }

    private static List<(int Service, int From, int To)> Chunks(int size) =>
        [.. Enumerable.Range(0, Services).SelectMany(s => Enumerable.Range(0, (Hours + size - 1) / size).Select(c => (s, c * size, Math.Min(Hours, (c + 1) * size))))];

    private static List<(int Service, int From, int To)> RandomChunks(int seed)
    {
        var random = new Random(seed);
        var chunks = new List<(int, int, int)>();
        for (var s = 0; s < Services; s++)
        {
            for (var from = 0; from < Hours;)
            {
                var to = Math.Min(Hours, from + random.Next(1, 49));
                chunks.Add((s, from, to));
                from = to;
            }
        }

        return [.. chunks.OrderBy(_ => random.Next())];
    }

    private Task<List<object[]>> RowsAsync(string tenant) => _stack.QueryRowsAsync(
        $"SELECT service_name, \"timestamp\", cost_usd, expected_cost, zscore, direction FROM cost_anomalies WHERE tenant_id = '{tenant}' ORDER BY service_name, \"timestamp\"");

    private static string Format(List<object[]> rows) =>
        string.Join("\n", rows.Select(r => string.Join(" ", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))));

    /// <summary>Waits until the log is drained and the tenant's rows have stayed the same for a few seconds (the background verdicts are done).</summary>
    private async Task<string> SettledRowsAsync(string tenant)
    {
        await _stack.WaitForSettledAsync();
        var last = Format(await RowsAsync(tenant));
        var stableSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(5))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the anomaly rows of {tenant} did not settle in 3 minutes");
            await Task.Delay(250);
            var now = Format(await RowsAsync(tenant));
            if (now == last) continue;
            (last, stableSince) = (now, DateTime.UtcNow);
        }

        return last;
    }

    [Fact]
    public async Task Time_order_reverse_order_random_chunks_and_a_restart_halfway_leave_the_same_anomaly_rows()
    {
        await SendInTimeOrderAsync("timeorder");
        var timeOrder = await SettledRowsAsync("timeorder");

        var reverse = Chunks(24);
        reverse.Reverse();
        await SendChunksAsync("reverse", reverse);
        var reversed = await SettledRowsAsync("reverse");

        await SendChunksAsync("chunks", RandomChunks(7));
        var shuffled = await SettledRowsAsync("chunks");

        // Half of a shuffled backfill, a restart while its older hours still wait for their verdicts, then the rest.
        var restartChunks = RandomChunks(11);
        await SendChunksAsync("restart", restartChunks.Take(restartChunks.Count / 2));
        await _stack.WaitForSettledAsync();
        await _stack.StopSiloAsync();
        await _stack.StartSiloAsync();
        await _stack.WaitUntilReadyAsync();
        await SendChunksAsync("restart", restartChunks.Skip(restartChunks.Count / 2));
        var restarted = await SettledRowsAsync("restart");

        Assert.NotEmpty(timeOrder);
        var tiny = Enumerable.Range(0, Services).Where(s => Series[s].Final[^168..].Order().ElementAt(84) < 0.02m).Select(s => $"svc-{s}").ToArray();
        Assert.Single(tiny);
        Assert.Equal(
            Enumerable.Range(0, Services).Select(s => $"svc-{s}").Except(tiny),
            timeOrder.Split('\n').Select(l => l.Split(' ')[0]).Distinct());
        Assert.Equal(timeOrder, reversed);
        Assert.Equal(timeOrder, shuffled);
        Assert.Equal(timeOrder, restarted);
    }
}
