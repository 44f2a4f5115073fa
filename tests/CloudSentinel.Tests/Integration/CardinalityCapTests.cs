using System.Globalization;
using System.Net;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>A tenant's service cap through the real gateway, silo and PostgreSQL: names beyond it fold into __overflow__ and no money is lost.</summary>
public sealed class CardinalityCapTests : IAsyncLifetime
{
    private static readonly DateTime Hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-2);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(siloSettings: new Dictionary<string, string?>
    {
        ["Limits:MaxServicesPerTenant"] = "3",
        ["Limits:MaxClustersPerTenant"] = "1",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    internal static string Record(string service, decimal cost, string tenant = "capped") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private Task SendAsync(params string[] records) => _stack.IngestAndSettleAsync(records);

    [Fact]
    public async Task Clusters_beyond_the_cap_are_pooled_in_the_overflow_cluster_and_every_dollar_is_allocated_once()
    {
        string Node(string cluster, decimal cost) =>
            $$"""{"tenant":"clusters","service_name":"platform","cloud_provider":"aws","cost_type":"compute","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}},"cpu_cost_usd":{{(cost / 2).ToString(CultureInfo.InvariantCulture)}},"memory_cost_usd":{{(cost / 2).ToString(CultureInfo.InvariantCulture)}},"tags":{"cluster":"{{cluster}}"} }""";
        string Pod(string cluster, string service) =>
            $$"""{"tenant":"clusters","cluster_name":"{{cluster}}","namespace":"shop","pod_name":"api-1","service_name":"{{service}}","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cpu_request_core_hours":1,"memory_request_gb_hours":1}""";

        await SendAsync(Node("first", 2m), Node("second", 3m), Node("third", 4m));
        var usage = await _stack.PostAsync("/api/cloudsentinel/ingest/usage", "[" + string.Join(",", Pod("first", "api"), Pod("second", "web"), Pod("third", "db")) + "]");
        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        await _stack.WaitForSettledAsync();

        Assert.Equal(9m, await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'clusters'"));
        Assert.Equal(2m, await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'clusters' AND source = 'shared:first'"));
        Assert.Equal(7m, await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'clusters' AND source = 'shared:__overflow__'"));
        Assert.Equal(2, await _stack.QueryScalarAsync<long>("SELECT count(DISTINCT cluster_name) FROM cluster_cost_buckets WHERE tenant_id = 'clusters'"));
        Assert.Equal(2, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM pod_usage WHERE tenant_id = 'clusters' AND cluster_name = '__overflow__'"));
    }

    private Task<decimal> Sum(string where) =>
        _stack.QueryScalarAsync<decimal>($"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = 'capped' AND {where}");

    [Fact]
    public async Task Services_beyond_the_cap_fold_into_overflow_with_totals_exact_restatements_replacing_and_a_counter()
    {
        await SendAsync(Record("a", 1m), Record("b", 2m), Record("c", 3m), Record("d", 4m), Record("e", 5m));

        Assert.Equal(15m, await Sum("true"));
        Assert.Equal(9m, await Sum("service_name = '__overflow__'"));
        Assert.Equal(4, await _stack.QueryScalarAsync<long>("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'capped'"));
        Assert.Equal(4m, await Sum("service_name = '__overflow__' AND source = 'overflow:d'"));

        // Re-sending changes nothing; a restated overflowed service replaces only its own amount; an admitted name stays admitted.
        await SendAsync(Record("a", 1m), Record("b", 2m), Record("c", 3m), Record("d", 4m), Record("e", 5m));
        await SendAsync(Record("e", 6m), Record("a", 1.5m));
        Assert.Equal(4m + 6m, await Sum("service_name = '__overflow__'"));
        Assert.Equal(1.5m + 2m + 3m + 4m + 6m, await Sum("true"));
        Assert.Equal(1.5m, await Sum("service_name = 'a'"));

        // Other tenants have their own cap.
        await SendAsync(Record("x", 1m, "roomy"), Record("y", 1m, "roomy"));
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'roomy' AND service_name = '__overflow__'"));

        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "capped", ["service_name"] = "__overflow__", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 10.0);
        Assert.Null(Metric.Value(metrics, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "capped", ["service_name"] = "d", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }));
        // d and e in each of the first two requests, e in the third: names are counted per request that folds them.
        Assert.Equal(5.0, Metric.Value(metrics, "cloudsentinel_cardinality_overflow_total", new() { ["tenant"] = "capped", ["kind"] = "service" }));
    }
}

/// <summary>The per-tenant series cap of the metrics endpoint, on a gateway of its own.</summary>
public sealed class SeriesCapTests : IAsyncLifetime
{
    private static readonly DateTime Hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-2);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?>
    {
        ["Limits:MaxSeriesPerTenant"] = "30",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Services_that_would_take_their_tenant_over_the_series_cap_get_no_series_but_still_count_in_the_tenant_total()
    {
        // Ten services of at least five series each against a cap of 30: some must be left out.
        await _stack.IngestAndSettleAsync([.. Enumerable.Range(1, 10).Select(n => CardinalityCapTests.Record($"s{n:00}", n, "series"))]);
        var inMonth = Hour >= new DateTime(Hour.Year, Hour.Month, 1, 0, 0, 0, DateTimeKind.Utc);

        string scrape = "";
        await Eventually.Async(async () =>
        {
            scrape = await _stack.ScrapeAsync();
            return Metric.Value(scrape, "cloudsentinel_cost_month_to_date_usd", new() { ["tenant"] = "series", ["service_name"] = "*" }) == (inMonth ? 55.0 : 0.0)
                   && Metric.Value(scrape, "cloudsentinel_cardinality_overflow_total", new() { ["tenant"] = "series", ["kind"] = "series" }) is > 0;
        }, "the tenant total to count all ten services and the cap to leave some out");

        var lines = scrape.Split('\n').Where(l => !l.StartsWith('#') && l.Contains("tenant=\"series\"") && !l.Contains("service_name=\"*\"") && l.Contains("service_name=")).ToList();
        Assert.InRange(lines.Count, 1, 30);
        var shown = lines.Select(l => l[(l.IndexOf("service_name=\"", StringComparison.Ordinal) + 14)..].Split('"')[0]).Distinct().Count();
        Assert.InRange(shown, 1, 9);
        Assert.Equal(10 - shown, Metric.Value(scrape, "cloudsentinel_cardinality_overflow_total", new() { ["tenant"] = "series", ["kind"] = "series" }));
    }
}
