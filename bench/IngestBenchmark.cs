using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudSentinel.Gateway;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Grains.Abstractions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Prometheus;

namespace CloudSentinel.Bench;

/// <summary>
/// The real ingest path end to end (HTTP → merge into service_costs in the request's transaction →
/// notifications → grains) against the cheapest way to keep the same records as raw rows (binary
/// COPY) and against the floor (the same buckets COPYed straight into service_costs), plus scrape
/// cost and the silo's peak memory.
/// </summary>
public static class IngestBenchmark
{
    private const int Tenants = 4;
    private const int ServicesPerTenant = 250;
    private const int Hours = 250;
    private static readonly string[] CostTypes = ["compute", "storage", "network", "database"];
    private const int RecordsPerRequest = 50_000;
    private const string IngestPath = "/api/cloudsentinel/ingest";

    public static async Task<string> RunAsync()
    {
        var records = Tenants * ServicesPerTenant * Hours * CostTypes.Length;
        Console.WriteLine($"ingest benchmark: {records:N0} records, {Tenants * ServicesPerTenant} services, {Hours} hours");
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        BenchStack? stack = null;
        try
        {
            var copyDb = await BenchStack.CreateDatabaseAsync(server, "bench_copy");
            var firstHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - Hours - 1);
            var bodies = Bodies(firstHour).ToList();
            stack = await BenchStack.StartAsync(server, "bench_e2e");
            const string countRows = "SELECT coalesce(sum(buckets), 0) FROM service_costs_tenant_hourly";

            // Warm-up: one small request through the whole path, not counted.
            await stack.PostAsync(IngestPath, Encoding.UTF8.GetBytes("[" + Record(0, 0, firstHour.AddHours(-2), "compute") + "]"));
            await stack.WaitForCountAsync(countRows, 1, TimeSpan.FromMinutes(1));

            await using var statsSource = NpgsqlDataSource.Create(stack.Database);
            var walBefore = await ServiceCostsFloor.WalPositionAsync(statsSource);
            var cpu = new CpuMeter(stack.Silo.Id);
            var clock = Stopwatch.StartNew();
            var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (body, _) =>
            {
                var sent = clock.Elapsed;
                await stack.PostAsync(IngestPath, body);
                latencies.Add((clock.Elapsed - sent).TotalMilliseconds);
            });
            var acknowledged = clock.Elapsed;
            // What the last 200 acknowledged must already be there: the first poll must find every bucket.
            var atAck = await stack.CountAsync(countRows);
            await stack.WaitForCountAsync(countRows, records + 1, TimeSpan.FromMinutes(20));
            var endToEnd = clock.Elapsed;
            await stack.WaitForCountAsync("SELECT CASE WHEN EXISTS (SELECT 1 FROM ingest_log) THEN 0 ELSE 1 END", 1, TimeSpan.FromMinutes(20));
            var grainsDone = clock.Elapsed;
            var (siloCpu, gatewayCpu, postgresCpu) = cpu.Elapsed();
            var walPerBucket = (await ServiceCostsFloor.WalPositionAsync(statsSource) - walBefore) / (double)records;
            var siloPeakMb = stack.SiloPeakMemoryMb();

            var copy = await CopyBaselineAsync(copyDb, firstHour);
            var floor = await ServiceCostsFloor.RunAsync(server, "bench_floor", [.. Buckets(firstHour).Chunk(RecordsPerRequest)]);
            var liveScrape = await ScrapeLiveAsync(stack.Http, stack.Gateway);
            var scrape10k = RenderTime(10_000);
            var scrape100k = RenderTime(100_000);

            var e2eRate = records / endToEnd.TotalSeconds;
            var copyRate = records / copy.TotalSeconds;
            var floorRate = records / floor.Elapsed.TotalSeconds;
            var ackRate = records / acknowledged.TotalSeconds;
            var table = new StringBuilder()
                .AppendLine("## Ingest path (issues 2 and 20)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- ingest`.")
                .AppendLine($"PostgreSQL 15 throwaway cluster from `scripts/pg.sh` with durable settings (fsync on, synchronous_commit on, stock max_connections — the same server for every side). One silo; the gateway and the driver share this process.")
                .AppendLine($"Workload: {records:N0} records ({Tenants} tenants × {ServicesPerTenant} services × {Hours} hours × {CostTypes.Length} cost types), every record its own bucket, {bodies.Count} JSON requests of {RecordsPerRequest:N0}, 2 in flight.")
                .AppendLine()
                .AppendLine("| measure | value |")
                .AppendLine("|---|---|")
                .AppendLine($"| end to end, first byte sent → every bucket in `service_costs` (merged in each request's transaction) | {e2eRate:N0} records/s ({endToEnd.TotalSeconds:0.0} s) |")
                .AppendLine($"| acknowledged (HTTP 200 after the merge's COMMIT) | {ackRate:N0} records/s ({acknowledged.TotalSeconds:0.0} s); buckets in `service_costs` at the last 200: {atAck - 1:N0} of {records:N0} |")
                .AppendLine($"| grains caught up (ingest log drained: windows, verdicts, gauges) | {grainsDone.TotalSeconds:0.0} s |")
                .AppendLine($"| 200 latency per request of {RecordsPerRequest:N0} records, p50 / p99 | {ServiceCostsFloor.Percentile([.. latencies], 50):N0} ms / {ServiceCostsFloor.Percentile([.. latencies], 99):N0} ms |")
                .AppendLine($"| answered 503 while ingest pushed back (sent again after Retry-After, inside the times above) | {stack.Refused:N0} |")
                .AppendLine($"| floor: the same buckets binary-COPYed into `service_costs` (indexes, rollup triggers), same transactions, 2 in flight | {floorRate:N0} records/s ({floor.Elapsed.TotalSeconds:0.0} s) |")
                .AppendLine($"| baseline: same records as raw rows by Npgsql binary COPY into an unindexed table | {copyRate:N0} records/s ({copy.TotalSeconds:0.0} s) |")
                .AppendLine($"| **ratio end to end / floor** | **{e2eRate / floorRate:0.00}×** |")
                .AppendLine($"| **ratio end to end / COPY baseline** | **{e2eRate / copyRate:0.00}×** (floor / COPY baseline: {floorRate / copyRate:0.00}×) |")
                .AppendLine($"| CPU per bucket during the run: silo / gateway + driver / PostgreSQL | {siloCpu * 1e6 / records:0.0} µs / {gatewayCpu * 1e6 / records:0.0} µs / {postgresCpu * 1e6 / records:0.0} µs ({siloCpu:0.0} s / {gatewayCpu:0.0} s / {postgresCpu:0.0} s of {Environment.ProcessorCount * grainsDone.TotalSeconds:0.0} core-seconds until the grains caught up) |")
                .AppendLine($"| WAL per bucket: ingest (merge, rollup deltas, notifications and their delete) / floor | {walPerBucket:N0} B / {floor.WalBytesPerBucket:N0} B |")
                .AppendLine($"| scrape over HTTP of the live gateway ({liveScrape.Series:N0} series) | {liveScrape.Ms:0.0} ms |")
                .AppendLine($"| render of 10,000 series (median of 5) | {scrape10k:0.0} ms |")
                .AppendLine($"| render of 100,000 series (median of 5) | {scrape100k:0.0} ms |")
                .AppendLine($"| silo peak resident memory (VmHWM) | {siloPeakMb:N0} MiB |")
                .AppendLine()
                .AppendLine($"Targets from issue 20: ≥ 150,000 records/s end to end ({(e2eRate >= 150_000 ? "met" : "not met")}), ≥ 0.8× the floor ({(e2eRate / floorRate >= 0.8 ? "met" : "not met")}), what a 200 acknowledged is in `service_costs` when it is sent ({(atAck - 1 == records ? "met" : "not met")}). " +
                            $"From issue 2: ≥ 250,000 records/s end to end ({(e2eRate >= 250_000 ? "met" : "not met")}), ≥ 0.5× the COPY baseline ({(e2eRate / copyRate >= 0.5 ? "met" : "not met")}), 100,000-series scrape under 250 ms ({(scrape100k < 250 ? "met" : "not met")}).");
            return table.ToString();
        }
        finally
        {
            if (stack is not null) await stack.DisposeAsync();
            await stopPostgres();
        }
    }

    private static IEnumerable<byte[]> Bodies(DateTime firstHour)
    {
        var buffer = new StringBuilder();
        var count = 0;
        buffer.Append('[');
        for (var hour = 0; hour < Hours; hour++)
        for (var tenant = 0; tenant < Tenants; tenant++)
        for (var service = 0; service < ServicesPerTenant; service++)
        foreach (var costType in CostTypes)
        {
            if (count > 0) buffer.Append(',');
            buffer.Append(Record(tenant, service, firstHour.AddHours(hour), costType));
            if (++count == RecordsPerRequest)
            {
                yield return Encoding.UTF8.GetBytes(buffer.Append(']').ToString());
                buffer.Clear().Append('[');
                count = 0;
            }
        }

        if (count > 0) yield return Encoding.UTF8.GetBytes(buffer.Append(']').ToString());
    }

    /// <summary>The buckets the bodies fold into, in the same order.</summary>
    private static IEnumerable<ServiceCostsFloor.Bucket> Buckets(DateTime firstHour)
    {
        for (var hour = 0; hour < Hours; hour++)
        for (var tenant = 0; tenant < Tenants; tenant++)
        for (var service = 0; service < ServicesPerTenant; service++)
        foreach (var costType in CostTypes)
        {
            var start = firstHour.AddHours(hour);
            var cost = Cost(tenant, service, start, costType);
            var breakdown = costType switch { "storage" => "ssd", "network" => "egress", _ => "" };
            yield return new ServiceCostsFloor.Bucket($"tenant{tenant}", start, $"service-{service}", costType, breakdown, cost,
                costType == "compute" ? cost * 0.6m : 0m, costType == "storage" ? 120m : 0m);
        }
    }

    private static string Record(int tenant, int service, DateTime hour, string costType)
    {
        var cost = Cost(tenant, service, hour, costType).ToString(CultureInfo.InvariantCulture);
        var extra = costType switch
        {
            "compute" => $",\"cpu_cost_usd\":{(Cost(tenant, service, hour, costType) * 0.6m).ToString(CultureInfo.InvariantCulture)}",
            "storage" => ",\"storage_type\":\"ssd\",\"storage_gb\":120",
            "network" => ",\"direction\":\"egress\"",
            _ => "",
        };
        return $"{{\"tenant\":\"tenant{tenant}\",\"service_name\":\"service-{service}\",\"cloud_provider\":\"aws\",\"cost_type\":\"{costType}\",\"account_id\":\"123456789012\",\"period_start\":\"{hour:yyyy-MM-dd'T'HH':00:00Z'}\",\"cost_usd\":{cost}{extra}}}";
    }

    private static decimal Cost(int tenant, int service, DateTime hour, string costType) =>
        Math.Round(0.01m + (tenant * 7 + service * 13 + hour.Hour * 3 + costType.Length) % 1000 / 100m, 4);

    private static async Task<TimeSpan> CopyBaselineAsync(string connectionString, DateTime firstHour)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("""
            CREATE TABLE raw_cost_records (tenant_id text, service_name text, cloud_provider text, cost_type text, account_id text,
                                           period_start timestamptz, period_end timestamptz, cost_usd numeric, cpu_cost_usd numeric,
                                           storage_type text, storage_gb numeric, direction text)
            """))
        {
            await create.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY raw_cost_records FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var bucket in Buckets(firstHour))
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(bucket.Tenant, NpgsqlDbType.Text);
                await writer.WriteAsync(bucket.Service, NpgsqlDbType.Text);
                await writer.WriteAsync("aws", NpgsqlDbType.Text);
                await writer.WriteAsync(bucket.CostType, NpgsqlDbType.Text);
                await writer.WriteAsync("123456789012", NpgsqlDbType.Text);
                await writer.WriteAsync(bucket.Hour, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(bucket.Hour.AddHours(1), NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(bucket.CostUsd, NpgsqlDbType.Numeric);
                await writer.WriteAsync(bucket.CpuCostUsd, NpgsqlDbType.Numeric);
                await writer.WriteAsync(bucket.CostType == "storage" ? bucket.Breakdown : "", NpgsqlDbType.Text);
                await writer.WriteAsync(bucket.StorageGb, NpgsqlDbType.Numeric);
                await writer.WriteAsync(bucket.CostType == "network" ? bucket.Breakdown : "", NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }

        return clock.Elapsed;
    }

    private static async Task<(int Series, double Ms)> ScrapeLiveAsync(HttpClient http, WebApplication gateway)
    {
        await gateway.Services.GetRequiredService<SnapshotPoller>().PollOnceAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await gateway.Services.GetRequiredService<SnapshotPoller>().PollOnceAsync();
        var times = new List<double>();
        var text = "";
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            text = await http.GetStringAsync(GatewayApp.MetricsPath);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (text.Split('\n').Count(l => l.Length > 0 && l[0] != '#'), Median(times));
    }

    /// <summary>Renders the gauges of snapshots that make up about <paramref name="series"/> series.</summary>
    public static double RenderTime(int series)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var exporter = new GaugeExporter(new TenantRegistries(registry));
        var hour = DateTime.UtcNow.Date;
        // Each snapshot below makes 10 series.
        for (var i = 0; i < series / 10; i++)
        {
            exporter.Apply(new ServiceSnapshot(
                $"tenant{i % 20}", $"service-{i}", hour,
                [new CostLine("compute", "aws", 1.5m), new CostLine("storage", "aws", 0.25m), new CostLine("network", "aws", 0.1m)],
                0.9m, 0.6m, [new LabeledAmount("ssd", 0.25m)], [new LabeledAmount("egress", 0.1m)], 0.7m, 400m,
                [new LabeledHour("aws", hour)]));
        }

        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            using var stream = new MemoryStream();
            var clock = Stopwatch.StartNew();
            registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
            if (i > 0) times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
