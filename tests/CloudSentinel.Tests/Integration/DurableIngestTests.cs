using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// The durable ingest path in one process on real PostgreSQL: what a 200 promises, what a refused
/// or cut request leaves behind (nothing), and how a message the database refuses is isolated.
/// </summary>
public sealed class DurableIngestTests : IAsyncLifetime
{
    private static readonly DateTime Hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-3);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(siloSettings: new Dictionary<string, string?>
    {
        ["IngestLog:MaxAttempts"] = "2",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Record(string tenant, string service, decimal cost, string account = "1") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","account_id":"{{account}}","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private Task<decimal> Sum(string tenant) =>
        _stack.QueryScalarAsync<decimal>($"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{tenant}'");

    private Task WaitForDrainedLogAsync() => _stack.WaitForSettledAsync();

    [Fact]
    public async Task A_200_means_the_request_is_in_the_ingest_log_and_it_drains_into_service_costs()
    {
        // Every record of this request is its own service: 300 messages, one transaction.
        var body = string.Join('\n', Enumerable.Range(0, 300).Select(i => Record("durable", $"svc-{i:000}", 0.01m * (i + 1))));
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitForDrainedLogAsync();
        Assert.Equal(Enumerable.Range(1, 300).Sum(i => 0.01m * i), await Sum("durable"));
        Assert.Equal(300, await _stack.QueryScalarAsync<long>("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'durable'"));
    }

    [Fact]
    public async Task A_20000_row_focus_file_of_150_services_lands_exactly_even_where_one_service_needs_several_messages()
    {
        // 18,000 hourly rows over 150 services, and 2,000 daily rows on ten of them: each of those ten
        // services gets 200 days × 24 hours = 4,800 buckets, more than one log message carries.
        var csv = new StringBuilder("ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BillingAccountId,SubAccountId,ProviderName,ServiceCategory,ServiceName,ChargeCategory,EffectiveCost,BilledCost,Tags\r\n");
        var expected = 0m;
        var firstDay = DateTime.UtcNow.Date.AddDays(-300);
        for (var i = 0; i < 20_000; i++)
        {
            DateTime start, end;
            decimal cost;
            string service;
            if (i < 2_000)
            {
                service = $"svc-{i % 10:000}";
                start = firstDay.AddDays(i / 10);
                end = start.AddDays(1);
                cost = 0.24m * (i % 7 + 1);
            }
            else
            {
                service = $"svc-{i % 150:000}";
                start = firstDay.AddDays(250).AddHours(i / 150);
                end = start.AddHours(1);
                cost = (i % 89 + 1) / 100m;
            }

            expected += cost;
            csv.Append(CultureInfo.InvariantCulture,
                $"{start:yyyy-MM-dd'T'HH:mm:ss'Z'},{end:yyyy-MM-dd'T'HH:mm:ss'Z'},USD,BA-1,acct-1,AWS,Compute,Amazon EC2,Usage,{cost},{cost},\"{{\"\"application\"\":\"\"{service}\"\"}}\"\r\n");
        }

        var response = await _stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant=bigfile",
            new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString())) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        await WaitForDrainedLogAsync();
        Assert.Equal(expected, await Sum("bigfile"));
        Assert.Equal(150, await _stack.QueryScalarAsync<long>("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'bigfile'"));
        Assert.Equal(2_000 * 24 + 18_000, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'bigfile'"));
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_body_applies_nothing_and_the_service_keeps_going()
    {
        var body = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 2_000).Select(i => Record("cutoff", $"svc-{i % 50}", 1m, $"a{i}"))));
        var address = _stack.Http.BaseAddress!;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(address.Host, address.Port);
            var stream = client.GetStream();
            var head = $"POST /api/cloudsentinel/ingest HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            client.Client.LingerState = new LingerOption(true, 0);
        }

        await Task.Delay(1_000);
        var after = await _stack.PostAsync("/api/cloudsentinel/ingest", Record("cutoff", "after", 2m));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        await WaitForDrainedLogAsync();
        Assert.Equal(2m, await Sum("cutoff"));
    }

    [Fact]
    public async Task A_truncated_gzip_focus_upload_is_refused_whole()
    {
        var csv = new StringBuilder("ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BillingAccountId,SubAccountId,ProviderName,ServiceCategory,ServiceName,ChargeCategory,EffectiveCost,BilledCost,Tags\r\n");
        for (var i = 0; i < 194; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'},{Hour.AddHours(1):yyyy-MM-dd'T'HH:mm:ss'Z'},USD,BA-1,{i},AWS,Compute,Amazon EC2,Usage,1.00,1.00,\"{{\"\"application\"\":\"\"gz\"\"}}\"\r\n");
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(csv.ToString()));
        var cut = buffer.ToArray()[..^12];

        var response = await _stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant=gzcut", new ByteArrayContent(cut) { Headers = { ContentType = new MediaTypeHeaderValue("application/gzip") } });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains("gzip", text);
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM ingest_log WHERE tenant_id = 'gzcut'"));
        Assert.Equal(0m, await Sum("gzcut"));
    }

    [Fact]
    public async Task A_nul_character_is_refused_at_the_door_with_the_record_and_field()
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Record("nul", "api", 1m, "12\\u00003") + "]");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal(0, error.GetProperty("record").GetInt64());
        Assert.Equal("account_id", error.GetProperty("field").GetString());
        Assert.Contains("NUL", error.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_message_the_database_refuses_is_dead_lettered_and_never_blocks_other_tenants()
    {
        // A poison message as an older version would have let through: a NUL byte PostgreSQL refuses (22021).
        var serializer = _stack.Gateway.Services.GetRequiredService<Serializer>();
        var poison = new CostBatch("poison", "api", [new BucketUpdate(new BucketKey("aws", "12\u00003", "compute", Hour, "", ""), new BucketAmount(5m, 0, 0, 0))]);
        await using (var connection = new NpgsqlConnection(_stack.Database!.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO ingest_log (tenant_id, kind, target, payload) VALUES ('poison', 1, 'poison/api', $1)", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = serializer.SerializeToArray(poison) });
            await insert.ExecuteNonQueryAsync();
        }

        var good = await _stack.PostAsync("/api/cloudsentinel/ingest", string.Join('\n', Record("healthy", "api", 3m), Record("healthy", "web", 4m)));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);

        await Eventually.Async(async () => await Sum("healthy") == 7m, "the healthy tenant's cost to land next to the poison message");
        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM ingest_dead_letters WHERE tenant_id = 'poison'") == 1,
            "the poison message to be dead-lettered", TimeSpan.FromSeconds(60));
        Assert.Contains("22021", await _stack.QueryScalarAsync<string>("SELECT reason FROM ingest_dead_letters WHERE tenant_id = 'poison'"));
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM ingest_log"));
        Assert.Equal(0m, await Sum("poison"));

        // Its grain reloaded what was committed: nothing of the refused bucket stays in memory.
        var view = await _stack.Client.GetGrain<IServiceCostGrain>("poison/api").GetView();
        Assert.Equal(0, view.BucketCount);

        await _stack.Gateway.Services.GetRequiredService<IngestLogGauges>().RefreshAsync(CancellationToken.None);
        var scrape = await _stack.ScrapeAsync();
        Assert.Equal(1.0, Metric.Value(scrape, "cloudsentinel_ingest_dead_letters", []));
        Assert.Equal(0.0, Metric.Value(scrape, "cloudsentinel_ingest_log_pending_messages", []));
    }
}
