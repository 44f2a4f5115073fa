using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>Bad requests get a clear 4xx, apply nothing, and leave the service and earlier data intact.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly DateTime H = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 2);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Good(decimal cost, string service = "api") =>
        $$"""{"tenant":"acme","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{H:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "[{\"tenant\":\"acme\",", "body", "malformed JSON" },
        { "[" + Good(5) + ",{\"tenant\":\"acme\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"period_start\":\"2026-01-01T00:00:00Z\",\"cost_usd\":\"7\"}]", "cost_usd", "must be a JSON number" },
        { "[" + Good(5) + ",{\"tenant\":\"acme\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"cost_usd\":7}]", "period_start", "is required" },
        { "[" + Good(5) + ",{\"tenant\":\"acme\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"period_start\":\"2026-11-01T00:00:00Z\",\"cost_usd\":NaN}]", "body", "malformed JSON" },
        { "[" + Good(5) + ",{\"tenant\":\"acme\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"period_start\":\"2026-11-01T00:00:00Z\",\"cost_usd\":\"Infinity\"}]", "cost_usd", "NaN and Infinity" },
        { "[" + Good(5) + ",{\"tenant\":\"acme\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"period_start\":\"2031-06-01T00:00:00Z\",\"cost_usd\":1}]", "period_start", "in the future" },
        { "[" + Good(5) + ",{\"tenant\":\"\",\"cloud_provider\":\"aws\",\"cost_type\":\"compute\",\"period_start\":\"2026-11-01T00:00:00Z\",\"cost_usd\":1}]", "tenant", "is required" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_request_is_rejected_whole_with_record_field_and_reason(string body, string field, string reason)
    {
        await SeedAsync();

        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(reason, error.GetProperty("reason").GetString());
        Assert.Contains("nothing from this request was applied", json.RootElement.GetProperty("detail").GetString());
        await AssertStillWorksAndSeedIntactAsync();
    }

    [Fact]
    public async Task Body_of_100_MiB_gets_413_with_the_limit()
    {
        await SeedAsync();
        var huge = new byte[100 * 1024 * 1024];
        huge.AsSpan().Fill((byte)' ');
        huge[0] = (byte)'[';

        var response = await _stack.Http.PostAsync("/api/cloudsentinel/ingest", new ByteArrayContent(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the limit of 33554432 bytes", await response.Content.ReadAsStringAsync());
        await AssertStillWorksAndSeedIntactAsync();
    }

    [Fact]
    public async Task Rejected_records_are_counted_by_outcome()
    {
        await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Good(1) + ",{\"tenant\":\"BAD TENANT\"}]");

        var metrics = await _stack.ScrapeAsync();

        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = "acme", ["source"] = "http", ["outcome"] = "rejected" }));
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = "_invalid", ["source"] = "http", ["outcome"] = "rejected" }));
        Assert.Null(Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = "acme", ["source"] = "http", ["outcome"] = "accepted" }));
    }

    private async Task SeedAsync()
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Good(5) + "]");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<decimal>("SELECT coalesce(sum(cost_usd),0) FROM service_costs") == 5m, "the seed to be stored");
    }

    private async Task AssertStillWorksAndSeedIntactAsync()
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Good(2, service: "after") + "]");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<decimal>("SELECT coalesce(sum(cost_usd),0) FROM service_costs WHERE service_name = 'after'") == 2m, "the follow-up record");
        Assert.Equal(5m, await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE service_name = 'api'"));
        Assert.Equal(HttpStatusCode.OK, (await _stack.Http.GetAsync("/healthz")).StatusCode);
    }
}
