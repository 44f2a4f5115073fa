using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 11's line-item workload: what a FOCUS or CUR feed looks like, many line items per service,
/// cost type and hour. 1,000 services × 25 hours × 20 line items per bucket (each with account,
/// region, resource id and provider service), as 10 NDJSON requests of 50,000 with two in flight;
/// a bucket's line items all travel in one request. Timed from the first byte sent until every
/// dollar is in service_costs, against psql's <c>\copy</c> of the same rows into an unindexed table
/// on the same server in the same run.
/// </summary>
public static class LineItemBenchmark
{
    private const int Tenants = 4;
    private const int ServicesPerTenant = 250;
    private const int Hours = 25;
    private const int ItemsPerBucket = 20;
    private const int Requests = 10;
    private const string IngestPath = "/api/cloudsentinel/ingest";
    private static readonly string[] CostTypes = ["compute", "storage", "network", "database"];
    private static readonly string[] Regions = ["us-east-1", "eu-west-1", "ap-south-1"];

    private const int Services = Tenants * ServicesPerTenant;
    private const int Items = Services * Hours * ItemsPerBucket;

    /// <summary>The gateway's phases for the first request of the workload, in this process.</summary>
    public static string Phases() => IngestPhases.Run(Bodies(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - Hours - 1))[0]);

    public static async Task<string> RunAsync()
    {
        Console.WriteLine($"line-item benchmark: {Items:N0} line items, {Services} services × {Hours} hours × {ItemsPerBucket} per bucket");
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        BenchStack? stack = null;
        try
        {
            var copyDb = await BenchStack.CreateDatabaseAsync(server, "bench_lineitems_copy");
            var firstHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - Hours - 1);
            var bodies = Bodies(firstHour);
            var expectedUsd = ExpectedTotal(firstHour);
            stack = await BenchStack.StartAsync(server, "bench_lineitems");

            // Warm-up through the whole path, on a tenant of its own so it does not count.
            await stack.PostAsync(IngestPath, Encoding.UTF8.GetBytes(LineItem(99, 0, 0, firstHour.AddHours(-2), "compute") + "\n"));
            await stack.WaitForCountAsync("SELECT count(*) FROM service_costs", 1, TimeSpan.FromMinutes(1));

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
            var moneyAtAck = await MoneyAsync(stack);
            await WaitForMoneyAsync(stack, expectedUsd, TimeSpan.FromMinutes(20));
            var endToEnd = clock.Elapsed;
            await stack.WaitForCountAsync("SELECT CASE WHEN EXISTS (SELECT 1 FROM ingest_log) THEN 0 ELSE 1 END", 1, TimeSpan.FromMinutes(20));
            var grainsDone = clock.Elapsed;
            var (siloCpu, gatewayCpu, postgresCpu) = cpu.Elapsed();
            var rows = await stack.CountAsync("SELECT count(*) FROM service_costs WHERE tenant_id <> 'tenant99'");
            var walPerBucket = (await ServiceCostsFloor.WalPositionAsync(statsSource) - walBefore) / (double)rows;

            var copy = await CopyBaselineAsync(copyDb, firstHour);
            var floor = await ServiceCostsFloor.RunAsync(server, "bench_lineitems_floor", FloorChunks(firstHour));

            var e2eRate = Items / endToEnd.TotalSeconds;
            var ackRate = Items / acknowledged.TotalSeconds;
            var copyRate = Items / copy.TotalSeconds;
            var floorRate = Items / floor.Elapsed.TotalSeconds;
            return new StringBuilder()
                .AppendLine("## Line-item ingest (issues 11 and 20)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- lineitems`.")
                .AppendLine("PostgreSQL 15 throwaway cluster from `scripts/pg.sh` with durable settings (fsync on, synchronous_commit on, stock max_connections; the same server for every side). One silo; the gateway and the driver share this process.")
                .AppendLine($"Workload: {Items:N0} line items = {Services:N0} services ({Tenants} tenants × {ServicesPerTenant}) × {Hours} hours × {ItemsPerBucket} line items per bucket, each with account, region, resource id and provider service; " +
                            $"{Requests} NDJSON requests of {Items / Requests:N0}, 2 in flight; a bucket's line items are all in one request. {rows:N0} buckets result.")
                .AppendLine()
                .AppendLine("| measure | value |")
                .AppendLine("|---|---|")
                .AppendLine($"| end to end: first byte sent → every dollar in `service_costs` | {e2eRate:N0} line items/s ({endToEnd.TotalSeconds:0.00} s) |")
                .AppendLine($"| acknowledged (HTTP 200 after the merge's COMMIT) | {ackRate:N0} line items/s ({acknowledged.TotalSeconds:0.00} s); in `service_costs` at the last 200: {moneyAtAck:N2} of {expectedUsd:N2} USD |")
                .AppendLine($"| grains caught up (ingest log drained) | {grainsDone.TotalSeconds:0.00} s |")
                .AppendLine($"| 200 latency per request of {Items / Requests:N0} line items, p50 / p99 | {ServiceCostsFloor.Percentile([.. latencies], 50):N0} ms / {ServiceCostsFloor.Percentile([.. latencies], 99):N0} ms |")
                .AppendLine($"| answered 503 while ingest pushed back (sent again after Retry-After, inside the times above) | {stack.Refused:N0} |")
                .AppendLine($"| baseline: psql `\\copy` of the same {Items:N0} rows (CSV) into an unindexed table | {copyRate:N0} rows/s ({copy.TotalSeconds:0.00} s) |")
                .AppendLine($"| floor: the {rows:N0} buckets binary-COPYed into `service_costs` (indexes, rollup triggers), same transactions, 2 in flight | {floorRate:N0} line items/s ({floor.Elapsed.TotalSeconds:0.00} s) |")
                .AppendLine($"| **ratio end to end / `\\copy`** | **{e2eRate / copyRate:0.00}×** |")
                .AppendLine($"| ratio end to end / floor | {e2eRate / floorRate:0.00}× |")
                .AppendLine($"| ratio acknowledged / `\\copy` | {ackRate / copyRate:0.00}× |")
                .AppendLine($"| CPU per line item: gateway + driver | {gatewayCpu * 1e6 / Items:0.0} µs |")
                .AppendLine($"| CPU per bucket: silo / PostgreSQL | {siloCpu * 1e6 / rows:0.0} µs / {postgresCpu * 1e6 / rows:0.0} µs ({siloCpu:0.0} s / {gatewayCpu:0.0} s / {postgresCpu:0.0} s of {Environment.ProcessorCount * grainsDone.TotalSeconds:0.0} core-seconds until the grains caught up) |")
                .AppendLine($"| WAL per bucket: ingest / floor | {walPerBucket:N0} B / {floor.WalBytesPerBucket:N0} B |")
                .AppendLine()
                .AppendLine($"Target from issue 20: end to end ≥ 1.0× the `\\copy` rate ({(e2eRate / copyRate >= 1.0 ? "met" : "not met")}); what a 200 acknowledged is in `service_costs` when it is sent ({(moneyAtAck == expectedUsd ? "met" : "not met")}). From issue 11: ≥ 0.5× ({(e2eRate / copyRate >= 0.5 ? "met" : "not met")}).")
                .ToString();
        }
        finally
        {
            if (stack is not null) await stack.DisposeAsync();
            await stopPostgres();
        }
    }

    /// <summary>Request r carries services [r·100, r·100+100) of the fleet, all their hours and line items.</summary>
    private static List<byte[]> Bodies(DateTime firstHour)
    {
        var bodies = new List<byte[]>();
        const int servicesPerRequest = Services / Requests;
        for (var request = 0; request < Requests; request++)
        {
            var text = new StringBuilder(Items / Requests * 330);
            for (var s = request * servicesPerRequest; s < (request + 1) * servicesPerRequest; s++)
            for (var hour = 0; hour < Hours; hour++)
            for (var item = 0; item < ItemsPerBucket; item++)
            {
                text.Append(LineItem(s / ServicesPerTenant, s % ServicesPerTenant, item, firstHour.AddHours(hour), CostTypeOf(s))).Append('\n');
            }

            bodies.Add(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return bodies;
    }

    private static string CostTypeOf(int service) => CostTypes[service % CostTypes.Length];

    private static string LineItem(int tenant, int service, int item, DateTime hour, string costType)
    {
        var extra = costType switch
        {
            "storage" => ",\"storage_type\":\"ssd\"",
            "network" => ",\"direction\":\"egress\"",
            _ => "",
        };
        return $"{{\"tenant\":\"tenant{tenant}\",\"service_name\":\"service-{service}\",\"cloud_provider\":\"aws\",\"cost_type\":\"{costType}\"," +
               $"\"account_id\":\"123456789012\",\"region\":\"{Regions[item % Regions.Length]}\",\"resource_id\":\"{ResourceId(service, item)}\"," +
               $"\"provider_service\":\"{ProviderService(costType)}\",\"period_start\":\"{hour:yyyy-MM-dd'T'HH':00:00Z'}\"," +
               $"\"cost_usd\":{Cost(tenant, service, item, hour).ToString(CultureInfo.InvariantCulture)}{extra}}}";
    }

    private static string ResourceId(int service, int item) => $"arn:aws:ec2:us-east-1:123456789012:instance/i-{service:x6}{item:x4}";

    private static string ProviderService(string costType) => costType switch
    {
        "storage" => "AmazonS3",
        "network" => "AWSDataTransfer",
        "database" => "AmazonRDS",
        _ => "AmazonEC2",
    };

    private static decimal Cost(int tenant, int service, int item, DateTime hour) =>
        Math.Round(0.001m + (tenant * 7 + service * 13 + hour.Hour * 3 + item * 17) % 997 / 1000m, 6);

    private static decimal ExpectedTotal(DateTime firstHour)
    {
        var total = 0m;
        for (var s = 0; s < Services; s++)
        for (var hour = 0; hour < Hours; hour++)
        for (var item = 0; item < ItemsPerBucket; item++)
        {
            total += Cost(s / ServicesPerTenant, s % ServicesPerTenant, item, firstHour.AddHours(hour));
        }

        return total;
    }

    /// <summary>The buckets the line items fold into (one per service and hour), request by request.</summary>
    private static List<ServiceCostsFloor.Bucket[]> FloorChunks(DateTime firstHour)
    {
        const int servicesPerRequest = Services / Requests;
        var chunks = new List<ServiceCostsFloor.Bucket[]>();
        for (var request = 0; request < Requests; request++)
        {
            var chunk = new List<ServiceCostsFloor.Bucket>();
            for (var s = request * servicesPerRequest; s < (request + 1) * servicesPerRequest; s++)
            for (var hour = 0; hour < Hours; hour++)
            {
                var (tenant, service, costType, start) = (s / ServicesPerTenant, s % ServicesPerTenant, CostTypeOf(s), firstHour.AddHours(hour));
                var cost = Enumerable.Range(0, ItemsPerBucket).Sum(item => Cost(tenant, service, item, start));
                var breakdown = costType switch { "storage" => "ssd", "network" => "egress", _ => "" };
                chunk.Add(new ServiceCostsFloor.Bucket($"tenant{tenant}", start, $"service-{service}", costType, breakdown, cost, 0m, 0m));
            }

            chunks.Add([.. chunk]);
        }

        return chunks;
    }

    private static async Task<decimal> MoneyAsync(BenchStack stack)
    {
        await using var connection = new NpgsqlConnection(stack.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id <> 'tenant99'", connection);
        return (decimal)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitForMoneyAsync(BenchStack stack, decimal expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = new NpgsqlConnection(stack.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id <> 'tenant99'", connection);
        var seen = 0m;
        while (DateTime.UtcNow < deadline)
        {
            seen = (decimal)(await command.ExecuteScalarAsync())!;
            if (seen == expected) return;
            if (seen > expected) throw new InvalidOperationException($"service_costs holds {seen} USD, more than the {expected} USD sent");
            await Task.Delay(50);
        }

        throw new TimeoutException($"service_costs held {seen} of {expected} USD after {timeout}");
    }

    /// <summary>The same line items as CSV, loaded with psql's \copy into a table without indexes.</summary>
    private static async Task<TimeSpan> CopyBaselineAsync(string connectionString, DateTime firstHour)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"cloudsentinel-lineitems-{Environment.ProcessId}.csv");
        try
        {
            await using (var file = new StreamWriter(csv))
            {
                for (var s = 0; s < Services; s++)
                for (var hour = 0; hour < Hours; hour++)
                for (var item = 0; item < ItemsPerBucket; item++)
                {
                    var (tenant, service, costType, start) = (s / ServicesPerTenant, s % ServicesPerTenant, CostTypeOf(s), firstHour.AddHours(hour));
                    await file.WriteLineAsync(string.Join(',',
                        $"tenant{tenant}", $"service-{service}", "aws", costType, "123456789012", Regions[item % Regions.Length], ResourceId(service, item),
                        ProviderService(costType), start.ToString("yyyy-MM-dd'T'HH':00:00Z'", CultureInfo.InvariantCulture),
                        Cost(tenant, service, item, start).ToString(CultureInfo.InvariantCulture),
                        costType == "storage" ? "ssd" : "", costType == "network" ? "egress" : ""));
                }
            }

            return await BenchEnvironment.PsqlCopyAsync(connectionString, """
                CREATE TABLE raw_line_items (tenant_id text, service_name text, cloud_provider text, cost_type text, account_id text, region text,
                                             resource_id text, provider_service text, period_start timestamptz, cost_usd numeric,
                                             storage_type text, direction text)
                """, "raw_line_items", csv, header: false);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
