using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudSentinel.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Bench;

/// <summary>
/// 200,000 distinct service names for one tenant (issue 10), against the default cap of 10,000
/// services per tenant. Baseline in the same run: the state after the first 10,000 names (exactly
/// the cap). Measures silo and gateway resident memory, the scrape, and the time per request, then
/// checks that every dollar sent is in service_costs.
/// </summary>
public static class CardinalityBenchmark
{
    private const int NamesPerRequest = 10_000;
    private const int Requests = 20;

    public static async Task<string> RunAsync()
    {
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        BenchStack? stack = null;
        try
        {
            stack = await BenchStack.StartAsync(server, "bench_cardinality");
            var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 2);
            var timings = new List<double>();
            var total = Stopwatch.StartNew();
            (double SiloMb, double GatewayMb, double ScrapeMs, int ScrapeKb, int Series)? baseline = null;
            for (var request = 0; request < Requests; request++)
            {
                var clock = Stopwatch.StartNew();
                await stack.PostAsync("/api/cloudsentinel/ingest", Body(request, hour));
                timings.Add(clock.Elapsed.TotalMilliseconds);
                if (request == 0)
                {
                    await stack.WaitForCountAsync("SELECT count(*) FROM service_costs WHERE tenant_id = 'wide'", NamesPerRequest, TimeSpan.FromMinutes(5));
                    baseline = await MeasureAsync(stack, services: NamesPerRequest);
                }

                Console.WriteLine($"request {request + 1}/{Requests}: {timings[^1]:0} ms");
            }

            await stack.WaitForCountAsync("SELECT count(*) FROM service_costs WHERE tenant_id = 'wide'", NamesPerRequest * Requests, TimeSpan.FromMinutes(10));
            await WaitForDrainedLogAsync(stack);
            var caughtUp = total.Elapsed;
            var after = await MeasureAsync(stack, services: NamesPerRequest + 1);
            var sent = Enumerable.Range(0, NamesPerRequest * Requests).Sum(Cost);
            var stored = (decimal)await stack.CountAsync("SELECT (sum(cost_usd) * 1000000)::bigint FROM service_costs WHERE tenant_id = 'wide'") / 1_000_000m;
            var services = await stack.CountAsync("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'wide'");
            var b = baseline!.Value;
            return new StringBuilder()
                .AppendLine("## Cardinality: 200,000 service names for one tenant (issue 10)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, `dotnet run -c Release --project bench -- cardinality`.")
                .AppendLine($"{Requests} requests of {NamesPerRequest:N0} records, each record a new service of tenant `wide`, with the default cap `Limits:MaxServicesPerTenant` = 10,000. Baseline: the same process after the first request (10,000 names, exactly the cap).")
                .AppendLine()
                .AppendLine("| measure | after 10,000 names | after 200,000 names | ratio |")
                .AppendLine("|---|---|---|---|")
                .AppendLine($"| silo peak resident memory (VmHWM) | {b.SiloMb:N0} MiB | {after.SiloMb:N0} MiB | {after.SiloMb / b.SiloMb:0.00}× |")
                .AppendLine($"| gateway (+ driver) peak resident memory | {b.GatewayMb:N0} MiB | {after.GatewayMb:N0} MiB | {after.GatewayMb / b.GatewayMb:0.00}× |")
                .AppendLine($"| scrape (admin, all series) | {b.ScrapeMs:0} ms, {b.ScrapeKb:N0} KiB, {b.Series:N0} lines | {after.ScrapeMs:0} ms, {after.ScrapeKb:N0} KiB, {after.Series:N0} lines | {after.ScrapeMs / b.ScrapeMs:0.00}× |")
                .AppendLine($"| time of a 10,000-record request | {timings[0]:0} ms (the first) | {timings[^1]:0} ms (the last) | {timings[^1] / timings[0]:0.00}× |")
                .AppendLine()
                .AppendLine($"From the first request until the grains had taken every message (the ingest log empty): {caughtUp.TotalSeconds:0.0} s, of which the requests took {timings.Sum() / 1000:0.0} s. Each measurement is taken then, once the gauges show every service.")
                .AppendLine()
                .AppendLine($"Services with series of their own: {services:N0} (10,000 and `__overflow__`); every dollar sent is stored: {sent:N2} USD sent, {stored:N2} USD in `service_costs`.")
                .ToString();
        }
        finally
        {
            if (stack is not null) await stack.DisposeAsync();
            await stopPostgres();
        }
    }

    /// <summary>
    /// Measures once the grains have taken every message (the ingest log is empty) and the gauges show
    /// all <paramref name="services"/> of tenant `wide`: a 200 means the buckets are stored, and the
    /// grains hold them and publish their gauges a moment later, so a measurement taken at once would
    /// see the memory and the scrape of the part applied so far.
    /// </summary>
    private static async Task<(double SiloMb, double GatewayMb, double ScrapeMs, int ScrapeKb, int Series)> MeasureAsync(BenchStack stack, int services)
    {
        await WaitForDrainedLogAsync(stack);
        var poller = stack.Gateway.Services.GetRequiredService<Gateway.Metrics.SnapshotPoller>();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            await poller.PollOnceAsync();
            var shown = await PublishedServicesAsync(stack.Http);
            if (shown >= services) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the gauges show {shown:N0} of {services:N0} services of tenant wide after 5 minutes");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var clock = Stopwatch.StartNew();
        var text = await stack.Http.GetStringAsync(GatewayApp.MetricsPath);
        var ms = clock.Elapsed.TotalMilliseconds;
        var gatewayMb = BenchEnvironment.ProcStatusKiB("self", "VmHWM") / 1024.0;
        return (stack.SiloPeakMemoryMb(), gatewayMb, ms, text.Length / 1024, text.Count(c => c == '\n'));
    }

    private static Task WaitForDrainedLogAsync(BenchStack stack) =>
        stack.WaitForCountAsync("SELECT CASE WHEN EXISTS (SELECT 1 FROM ingest_log) THEN 0 ELSE 1 END", 1, TimeSpan.FromMinutes(10));

    /// <summary>The services of tenant `wide` on a scrape, read line by line so that waiting does not raise the peak memory measured.</summary>
    private static async Task<int> PublishedServicesAsync(HttpClient http)
    {
        const string prefix = "cloudsentinel_cost_per_service_usd{tenant=\"wide\",service_name=\"";
        var services = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(await http.GetStreamAsync(GatewayApp.MetricsPath));
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal)) services.Add(line[prefix.Length..line.IndexOf('"', prefix.Length)]);
        }

        return services.Count;
    }

    private static decimal Cost(int n) => (n % 100 + 1) / 100m;

    private static byte[] Body(int request, DateTime hour)
    {
        var text = new StringBuilder();
        for (var i = 0; i < NamesPerRequest; i++)
        {
            var n = request * NamesPerRequest + i;
            text.Append(CultureInfo.InvariantCulture,
                $$"""{"tenant":"wide","service_name":"svc-{{n:000000}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{Cost(n).ToString(CultureInfo.InvariantCulture)}}}""").Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
