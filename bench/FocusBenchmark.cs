using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 11's FOCUS import figure: a 1,000,000-row FOCUS 1.2 CSV (1,000 services × 25 hours × 40
/// line items, every FOCUS 1.0 mandatory column) posted to the FOCUS endpoint, plain and gzip, timed
/// from the first byte sent until every dollar is in service_costs; against psql's <c>\copy</c> of the
/// same file into an unindexed table of text columns on the same server in the same run.
/// </summary>
public static class FocusBenchmark
{
    private const int Services = 1_000;
    internal const int Hours = 25;
    private const int ItemsPerBucket = 40;
    internal const int Rows = Services * Hours * ItemsPerBucket;

    private static readonly string[] Columns =
    [
        "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
        "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit",
        "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity",
        "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory",
        "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags",
    ];

    public static async Task<string> RunAsync()
    {
        Console.WriteLine($"FOCUS benchmark: {Rows:N0} rows, {Services:N0} services × {Hours} hours × {ItemsPerBucket} line items");
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        var csvPath = Path.Combine(Path.GetTempPath(), $"cloudsentinel-focus-{Environment.ProcessId}.csv");
        BenchStack? stack = null;
        try
        {
            var firstHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - Hours - 1);
            var expected = await WriteCsvAsync(csvPath, firstHour);
            var csv = await File.ReadAllBytesAsync(csvPath);
            var gzip = Gzip(csv);
            var parquet = await ParquetAsync(firstHour);
            var copyDb = await BenchStack.CreateDatabaseAsync(server, "bench_focus_copy");
            stack = await BenchStack.StartAsync(server, "bench_focus");

            var plain = await ImportAsync(stack, "focus-plain", csv, expected);
            var gzipped = await ImportAsync(stack, "focus-gzip", gzip, expected);
            var parqueted = await ImportAsync(stack, "focus-parquet", parquet, expected);
            var copy = await CopyBaselineAsync(copyDb, csvPath);

            var copyRate = Rows / copy.TotalSeconds;
            var table = new StringBuilder()
                .AppendLine("## FOCUS import (issue 11)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- focus`.")
                .AppendLine("PostgreSQL 15 throwaway cluster from `scripts/pg.sh` with durable settings (fsync on, synchronous_commit on, stock max_connections; the same server for every row).")
                .AppendLine($"File: {Rows:N0} rows of FOCUS 1.2 (all {Columns.Length} FOCUS 1.0 mandatory columns), {Services:N0} services (by the `application` tag) × {Hours} hours × {ItemsPerBucket} line items, " +
                            $"{csv.Length / 1024.0 / 1024:N0} MiB as CSV, {gzip.Length / 1024.0 / 1024:N0} MiB gzip, {parquet.Length / 1024.0 / 1024:N0} MiB Parquet (string columns, row groups of 100,000). Each import into a tenant of its own; the clock runs from the first byte sent until every dollar of the file is in `service_costs`.")
                .AppendLine()
                .AppendLine("| import | rows/s end to end | seconds | answered after | ratio to `\\copy` |")
                .AppendLine("|---|---:|---:|---:|---:|")
                .AppendLine($"| CSV, POST /api/cloudsentinel/ingest/focus | {Rows / plain.EndToEnd.TotalSeconds:N0} | {plain.EndToEnd.TotalSeconds:0.0} | {plain.Answered.TotalSeconds:0.0} s | {Rows / plain.EndToEnd.TotalSeconds / copyRate:0.00}× |")
                .AppendLine($"| the same CSV gzipped (the endpoint recognizes gzip by its first bytes) | {Rows / gzipped.EndToEnd.TotalSeconds:N0} | {gzipped.EndToEnd.TotalSeconds:0.0} | {gzipped.Answered.TotalSeconds:0.0} s | {Rows / gzipped.EndToEnd.TotalSeconds / copyRate:0.00}× |")
                .AppendLine($"| the same rows as Parquet | {Rows / parqueted.EndToEnd.TotalSeconds:N0} | {parqueted.EndToEnd.TotalSeconds:0.0} | {parqueted.Answered.TotalSeconds:0.0} s | {Rows / parqueted.EndToEnd.TotalSeconds / copyRate:0.00}× |")
                .AppendLine($"| baseline: psql `\\copy` of the same CSV into an unindexed table of text columns | {copyRate:N0} | {copy.TotalSeconds:0.0} | | 1× |")
                .AppendLine()
                .AppendLine($"Target from issue 11 (the line-item target's 0.5× of `\\copy`): CSV {(Rows / plain.EndToEnd.TotalSeconds / copyRate >= 0.5 ? "met" : "not met")}, gzip {(Rows / gzipped.EndToEnd.TotalSeconds / copyRate >= 0.5 ? "met" : "not met")}, Parquet {(Rows / parqueted.EndToEnd.TotalSeconds / copyRate >= 0.5 ? "met" : "not met")}.");
            return table.ToString();
        }
        finally
        {
            if (stack is not null) await stack.DisposeAsync();
            File.Delete(csvPath);
            await stopPostgres();
        }
    }

    private static async Task<(TimeSpan Answered, TimeSpan EndToEnd)> ImportAsync(BenchStack stack, string tenant, byte[] body, decimal expected)
    {
        var clock = Stopwatch.StartNew();
        using (var content = new ByteArrayContent(body))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            using var response = await stack.Http.PostAsync($"/api/cloudsentinel/ingest/focus?tenant={tenant}", content);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"FOCUS import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var answered = clock.Elapsed;
        Console.Error.WriteLine($"  {tenant}: answered after {answered.TotalSeconds:0.0} s");
        await using var connection = new NpgsqlConnection(stack.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(20);
        while ((decimal)(await command.ExecuteScalarAsync())! != expected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{tenant}: service_costs did not reach {expected} USD in 20 minutes");
            await Task.Delay(100);
        }

        return (answered, clock.Elapsed);
    }

    /// <summary>The file's rows, column by column as in <see cref="Columns"/>.</summary>
    private static IEnumerable<(string[] Row, decimal CostUsd)> RowsOf(DateTime firstHour)
    {
        static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var month = new DateTime(firstHour.Year, firstHour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var (billingStart, billingEnd) = (Ts(month), Ts(month.AddMonths(1)));
        for (var s = 0; s < Services; s++)
        for (var h = 0; h < Hours; h++)
        {
            var start = firstHour.AddHours(h);
            var (from, to) = (Ts(start), Ts(start.AddHours(1)));
            for (var i = 0; i < ItemsPerBucket; i++)
            {
                var cost = Math.Round(0.0001m + (s * 13 + h * 7 + i * 3) % 9973 / 100000m, 10);
                var text = cost.ToString(CultureInfo.InvariantCulture);
                yield return ([
                    "us-east-1a", text, "ba-100", "Example Org", "USD", billingEnd, billingStart,
                    "Usage", "", "Amazon EC2 instance hours", "Usage-Based", to, from, "", "",
                    "", "", "", "1", "Hours", text, "",
                    text, "AWS", text, "", "Standard", "1", "Hours", "AWS", "AWS", "us-east-1", "US East (N. Virginia)",
                    $"i-{s:x6}{i:x4}", $"instance {s}-{i}", "Instance", "Compute", "Amazon Elastic Compute Cloud", "sku-1", "price-1", $"sub-{s % 20}", "Production",
                    $"{{\"application\":\"service-{s}\",\"env\":\"prod\"}}"], cost);
            }
        }
    }

    /// <summary>Writes the file as CSV and returns the sum of its EffectiveCost.</summary>
    internal static async Task<decimal> WriteCsvAsync(string path, DateTime firstHour)
    {
        var total = 0m;
        await using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        await file.WriteAsync(string.Join(',', Columns) + "\r\n");
        foreach (var (row, cost) in RowsOf(firstHour))
        {
            total += cost;
            await file.WriteAsync(string.Join(',', row.Select(v => v.Contains('"') || v.Contains(',') ? $"\"{v.Replace("\"", "\"\"")}\"" : v)) + "\r\n");
        }

        return total;
    }

    /// <summary>The same rows as Parquet, every column a string, in row groups of 100,000.</summary>
    internal static async Task<byte[]> ParquetAsync(DateTime firstHour)
    {
        var fields = Columns.Select(c => new Parquet.Schema.DataField<string>(c)).ToArray();
        using var output = new MemoryStream();
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(fields), output))
        {
            foreach (var group in RowsOf(firstHour).Select(r => r.Row).Chunk(100_000))
            {
                using var rowGroup = writer.CreateRowGroup();
                for (var c = 0; c < fields.Length; c++)
                {
                    await rowGroup.WriteAsync(fields[c], (IReadOnlyCollection<string>)group.Select(r => r[c]).ToArray(), null);
                }
            }
        }

        return output.ToArray();
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    internal static Task<TimeSpan> CopyBaselineAsync(string connectionString, string csvPath) =>
        BenchEnvironment.PsqlCopyAsync(connectionString, $"CREATE TABLE raw_focus ({string.Join(", ", Columns.Select(c => $"\"{c}\" text"))})", "raw_focus", csvPath, header: true);
}
