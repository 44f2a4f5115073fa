using System.Globalization;
using System.Net;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// The in-memory mode (no PostgreSQL): the journal merges into the silo's memory store before it tells
/// the grain, as the PostgreSQL journal merges into service_costs, so a grain that is collected and
/// activated again still holds what it was sent, once.
/// </summary>
public sealed class InMemoryModeTests
{
    [Fact]
    public async Task Buckets_survive_a_grain_collection_and_a_resend_changes_nothing()
    {
        await using var stack = await CloudSentinelStack.StartAsync(postgres: false);
        var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-2);
        var body = string.Join('\n', Enumerable.Range(0, 3).Select(i =>
            $$"""{"tenant":"mem","service_name":"api","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour.AddHours(-i):yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{(1.25m * (i + 1)).ToString(CultureInfo.InvariantCulture)}}}"""));

        Assert.Equal(HttpStatusCode.OK, (await stack.PostAsync("/api/cloudsentinel/ingest", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.PostAsync("/api/cloudsentinel/ingest", body)).StatusCode);
        var grain = stack.Client.GetGrain<IServiceCostGrain>("mem/api");
        Assert.Equal(7.50m, (await grain.GetView()).Last24HoursUsd);

        await stack.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var view = await grain.GetView();
        Assert.Equal(3, view.BucketCount);
        Assert.Equal(7.50m, view.Last24HoursUsd);
    }

    /// <summary>
    /// The reads that only PostgreSQL can answer refuse with 503, a body that says what to configure and no
    /// Retry-After (waiting would not help); the checks of the request come first, and /readyz asks nothing of a database.
    /// </summary>
    [Fact]
    public async Task Reads_kept_in_PostgreSQL_answer_503_saying_what_to_configure()
    {
        await using var stack = await CloudSentinelStack.StartAsync(postgres: false);
        const string console = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"the console reads PostgreSQL; set ConnectionStrings__Postgres on the gateway"}""";
        const string export = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"the export reads service_costs in PostgreSQL; set ConnectionStrings__Postgres on the gateway"}""";
        var answers = new (string Path, string Body)[]
        {
            ("/api/cloudsentinel/tenants", console),
            ("/api/cloudsentinel/summary?tenant=mem", console),
            ("/api/cloudsentinel/services?tenant=mem", console),
            ("/api/cloudsentinel/service?tenant=mem&service=api", console),
            ("/api/cloudsentinel/clusters?tenant=mem", console),
            ("/api/cloudsentinel/anomalies?tenant=mem",
                """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"anomaly history is kept in PostgreSQL; set ConnectionStrings__Postgres on the gateway"}"""),
            ("/api/cloudsentinel/export/focus?tenant=mem&from=2026-11-01&to=2026-11-02", export),
            ("/api/cloudsentinel/export/focus/metadata?tenant=mem&from=2026-11-01&to=2026-11-02", export),
        };

        foreach (var (path, body) in answers)
        {
            var response = await stack.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
            Assert.False(response.Headers.Contains("Retry-After"), path);
            Assert.False(response.Content.Headers.Contains("Content-Disposition"), path);
            // ASP.NET adds the request's trace id, different every time; the rest is exact.
            Assert.Equal(body[..^1] + ",\"traceId\":", System.Text.RegularExpressions.Regex.Replace(await response.Content.ReadAsStringAsync(), "\"[0-9a-f-]+\"}$", ""));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await stack.Http.GetAsync("/api/cloudsentinel/services?tenant=mem&sort=size")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await stack.Http.GetAsync("/api/cloudsentinel/export/focus?tenant=mem&from=2026-11-02&to=2026-11-01")).StatusCode);
        Assert.Equal("ready\n", await stack.Http.GetStringAsync("/readyz"));
    }
}
