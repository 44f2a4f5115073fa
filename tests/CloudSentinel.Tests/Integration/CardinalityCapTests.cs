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
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Record(string service, decimal cost, string tenant = "capped") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private async Task SendAsync(params string[] records)
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", records) + "]");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _stack.WaitForSettledAsync();
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
