using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudSentinel.Cli;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Tests.Infrastructure;
using static CloudSentinel.Tests.Focus.FocusExport;

namespace CloudSentinel.Tests.Focus;

/// <summary>FOCUS files end to end on real PostgreSQL: HTTP and CLI upload → importer → stream → service_costs and gauges.</summary>
public sealed class FocusImportTests : IAsyncLifetime
{
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string At(DateTime hour) => $"\"timestamp\" = '{hour:yyyy-MM-dd HH:mm:ss}+00'";

    private Task<decimal> Sum(string where) =>
        _stack.QueryScalarAsync<decimal>($"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = 'acme' AND {where}");

    private async Task WaitForSum(string where, decimal expected) =>
        await Eventually.Async(async () => await Sum(where) == expected, $"sum(cost_usd) of service_costs where {where} to be {expected}");

    private async Task<HttpResponseMessage> PostFocusAsync(byte[] body, string tenant = "acme") =>
        await _stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant={tenant}", new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } });

    /// <summary>The exact totals the export must give, in the table and in the gauges.</summary>
    private async Task AssertExportLoadedAsync()
    {
        await WaitForSum($"service_name = 'checkout' AND cost_type = 'compute' AND cloud_provider = 'aws' AND {At(H)}", 12.50m);
        await WaitForSum($"service_name = 'checkout' AND cost_type = 'storage' AND {At(H)}", 3.00m);
        await WaitForSum("service_name = 'search' AND cost_type = 'database' AND cloud_provider = 'gcp'", 24.00m);
        await WaitForSum($"service_name = 'untagged' AND cost_type = 'network' AND cloud_provider = 'azure' AND {At(H.AddHours(1))}", 0.50m);
        Assert.Equal(24, await _stack.QueryScalarAsync<int>("SELECT count(*) FROM service_costs WHERE service_name = 'search' AND cost_usd = 1.00"));
        Assert.Equal(40.00m, await Sum("true"));
        Assert.Equal(0m, await Sum("service_name = 'legacy'"));

        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 12.5);
        Assert.Equal(3.0, Metric.Value(metrics, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "storage", ["cloud_provider"] = "aws" }));
        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "untagged", ["cost_type"] = "network", ["cloud_provider"] = "azure" }, 0.5);
        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "search", ["cost_type"] = "database", ["cloud_provider"] = "gcp" }, 1.0);
    }

    [Fact]
    public async Task Focus_file_over_http_gives_exact_totals_lists_bad_rows_and_a_second_import_changes_nothing()
    {
        var response = await PostFocusAsync(Encoding.UTF8.GetBytes(Csv()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using (var json = JsonDocument.Parse(body))
        {
            var root = json.RootElement;
            Assert.Equal(9, root.GetProperty("rowsRead").GetInt64());
            Assert.Equal(7, root.GetProperty("rowsLoaded").GetInt64());
            Assert.Equal(2, root.GetProperty("rowsRejected").GetInt64());
            Assert.Equal(4, root.GetProperty("records").GetInt32());
            Assert.Equal(1, root.GetProperty("recordsRejected").GetInt32());
            var costs = root.GetProperty("costUsdByProvider");
            Assert.Equal(15.50m, costs.GetProperty("aws").GetDecimal());
            Assert.Equal(24.00m, costs.GetProperty("gcp").GetDecimal());
            Assert.Equal(0.50m, costs.GetProperty("azure").GetDecimal());
            var rows = root.GetProperty("rejectedRows").EnumerateArray().ToList();
            Assert.Equal([8L, 9L], rows.Select(r => r.GetProperty("line").GetInt64()));
            Assert.Equal("EffectiveCost", rows[0].GetProperty("field").GetString());
            var old = root.GetProperty("rejectedRecords").EnumerateArray().Single();
            Assert.Equal("legacy", old.GetProperty("serviceName").GetString());
            Assert.Equal("period_start", old.GetProperty("field").GetString());
            Assert.Contains("older than 1130 days", old.GetProperty("reason").GetString());
            Assert.Contains("line 9:", root.GetProperty("summary").GetString());
        }

        await AssertExportLoadedAsync();
        var rowsBefore = await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs");
        var writtenBefore = await _stack.QueryScalarAsync<DateTime>("SELECT max(updated_at) FROM service_costs");

        var again = await PostFocusAsync(Encoding.UTF8.GetBytes(Csv()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        // A marker for the same services after the second import: once it is stored, the import before it has been applied.
        var marker = Encoding.UTF8.GetBytes(string.Join("\r\n", Csv().Split("\r\n")[0],
            $"{H.AddHours(-2):yyyy-MM-dd'T'HH:mm:ss'Z'},{H.AddHours(-1):yyyy-MM-dd'T'HH:mm:ss'Z'},USD,BA-1,111,AWS,Other,Support,Usage,0.01,0.01,\"{{\"\"app\"\":\"\"checkout\"\"}}\""));
        Assert.Equal(HttpStatusCode.OK, (await PostFocusAsync(marker)).StatusCode);
        await WaitForSum($"service_name = 'checkout' AND {At(H.AddHours(-2))}", 0.01m);

        Assert.Equal(12.50m, await Sum($"service_name = 'checkout' AND cost_type = 'compute' AND {At(H)}"));
        Assert.Equal(24.00m, await Sum("service_name = 'search'"));
        Assert.Equal(0.50m, await Sum("service_name = 'untagged'"));
        Assert.Equal(rowsBefore + 1, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs"));
        Assert.Equal(writtenBefore, await _stack.QueryScalarAsync<DateTime>($"SELECT max(updated_at) FROM service_costs WHERE NOT {At(H.AddHours(-2))}"));
    }

    [Fact]
    public async Task Focus_file_through_the_cli_streams_with_progress_and_gives_the_same_totals()
    {
        var path = Path.Combine(Path.GetTempPath(), $"focus-{Guid.NewGuid():N}.csv.gz");
        await File.WriteAllBytesAsync(path, Gzip(Csv()));
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["backfill", "--tenant", "acme", "--focus", path, "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken], stdout, stderr);

            // Two rows and one summed record were left out, so the exit code says "partly rejected".
            Assert.True(exit == ExitCodes.PartlyRejected, stderr.ToString());
            var summary = stdout.ToString();
            Assert.StartsWith("FOCUS 1.0-1.2: 4 records from 7 of 9 rows; aws 15.50 USD; azure 0.50 USD; gcp 24.00 USD", summary);
            Assert.Contains("line 8: EffectiveCost:", summary);
            Assert.Contains("line 9: ChargePeriodEnd:", summary);
            Assert.Contains("legacy aws compute", summary);
            Assert.Contains("older than 1130 days", summary);
            Assert.Contains("rows: 9 read, 7 usable, 2 refused; summed records: 4 loaded, 1 refused; 3 services, 27 hourly buckets written", summary);
            Assert.Contains("\r[##############################] 100%", stderr.ToString());

            await AssertExportLoadedAsync();
            Assert.Equal(4.0, Metric.Value(await _stack.ScrapeAsync(), "cloudsentinel_ingest_records_total",
                new() { ["tenant"] = "acme", ["source"] = "focus", ["outcome"] = "accepted" }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_whole_loads_nothing()
    {
        var noCostColumn = Encoding.UTF8.GetBytes(Csv().Replace("EffectiveCost,", "Cost,"));
        var response = await PostFocusAsync(noCostColumn);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("EffectiveCost", json.RootElement.GetProperty("detail").GetString());
        Assert.Contains("nothing from it was loaded", json.RootElement.GetProperty("detail").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("errors")[0].GetProperty("record").GetInt64());

        Assert.Equal(HttpStatusCode.BadRequest, (await PostFocusAsync(Encoding.UTF8.GetBytes(Csv()), tenant: "Not A Tenant")).StatusCode);

        var path = Path.Combine(Path.GetTempPath(), $"focus-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(path, noCostColumn);
        try
        {
            var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["backfill", "--tenant", "acme", "--focus", path, "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken], new StringWriter(), stderr);
            Assert.Equal(ExitCodes.Refused, exit);
            Assert.Contains("400", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal(ExitCodes.Usage, await CliApp.RunAsync(["backfill", "--tenant", "acme", "--focus", "/no/such/file.csv"], new StringWriter(), new StringWriter()));
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs"));
    }
}

/// <summary>The FOCUS body limit, on an in-memory stack.</summary>
public sealed class FocusBodyLimitTests
{
    [Fact]
    public async Task A_file_over_the_configured_limit_is_refused_with_413_and_loads_nothing()
    {
        await using var stack = await CloudSentinelStack.StartAsync(postgres: false, gatewaySettings: new Dictionary<string, string?> { ["FocusIngest:MaxBodyBytes"] = "1000" });
        var csv = Encoding.UTF8.GetBytes(Csv());
        Assert.True(csv.Length > 1000);

        var declared = await stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant=acme", new ByteArrayContent(csv));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("FocusIngest:MaxBodyBytes", await declared.Content.ReadAsStringAsync());

        // Chunked, so the limit is only found while streaming.
        var chunked = new StreamContent(new MemoryStream(csv));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{FocusEndpoints.Path}?tenant=acme") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await stack.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
    }
}
