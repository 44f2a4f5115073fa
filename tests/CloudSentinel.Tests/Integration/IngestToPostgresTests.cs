using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>The whole path on real PostgreSQL: HTTP ingest → ingest log → grain → upserts and gauges.</summary>
public sealed class IngestToPostgresTests : IAsyncLifetime
{
    private static readonly DateTime CurrentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
    private static readonly DateTime H = CurrentHour.AddHours(-4);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Rec(string service, string type, DateTime start, decimal cost, string extra = "", string tenant = "acme", string provider = "aws", DateTime? end = null) =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"{{provider}}","cost_type":"{{type}}","account_id":"111","period_start":"{{Ts(start)}}"{{(end is null ? "" : $",\"period_end\":\"{Ts(end.Value)}\"")}},"cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}{{extra}}}""";

    private static readonly string KnownBatch = "[" + string.Join(",",
        Rec("checkout", "compute", H, 10.0m, ""","cpu_cost_usd":6,"memory_cost_usd":4"""),
        Rec("checkout", "compute", H, 2.5m, ""","cpu_cost_usd":1.5,"memory_cost_usd":1"""),
        Rec("checkout", "storage", H, 3.0m, ""","storage_type":"ssd","storage_gb":100"""),
        Rec("checkout", "network", H, 1.2m, ""","direction":"egress" """),
        Rec("checkout", "network", H, 0.3m, ""","direction":"ingress" """),
        Rec("checkout", "compute", H.AddHours(1), 8.0m, ""","cpu_cost_usd":5,"memory_cost_usd":3"""),
        Rec("checkout", "network", H.AddHours(1), 0.5m, ""","direction":"egress" """),
        Rec("search", "database", H.AddHours(-24), 24.0m, tenant: "globex", provider: "gcp", end: H)) + "]";

    private Task<decimal> Sum(string table, string where) =>
        _stack.QueryScalarAsync<decimal>($"SELECT coalesce(sum(cost_usd), 0) FROM {table} WHERE {where}");

    private static string At(DateTime hour) => $"\"timestamp\" = '{hour:yyyy-MM-dd HH:mm:ss}+00'";

    private async Task WaitForSum(string table, string where, decimal expected) =>
        await Eventually.Async(async () => await Sum(table, where) == expected, $"sum(cost_usd) of {table} where {where} to be {expected}");

    private async Task IngestAsync(string body)
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends a tiny record for the same service and waits until it is stored and the ingest log is empty: everything sent before it has been applied.</summary>
    private async Task Barrier(decimal marker)
    {
        await IngestAsync("[" + Rec("checkout", "other", H.AddHours(-2), marker) + "]");
        await WaitForSum("service_costs", $"service_name = 'checkout' AND {At(H.AddHours(-2))}", marker);
        await _stack.WaitForSettledAsync();
    }

    [Fact]
    public async Task Known_batch_gives_exact_hourly_sums_resent_batch_changes_nothing_and_restatement_replaces()
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", KnownBatch);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var json = JsonDocument.Parse(body))
        {
            Assert.Equal(8, json.RootElement.GetProperty("accepted").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("services").GetInt32());
            Assert.Equal(6 + 24, json.RootElement.GetProperty("buckets").GetInt32());
        }

        await WaitForSum("service_costs", "tenant_id = 'globex'", 24.0m);
        await WaitForSum("service_costs", $"tenant_id = 'acme' AND service_name = 'checkout' AND {At(H)}", 17.0m);
        await WaitForSum("service_costs", $"tenant_id = 'acme' AND service_name = 'checkout' AND {At(H.AddHours(1))}", 8.5m);
        Assert.Equal(24, await _stack.QueryScalarAsync<int>("SELECT count(*) FROM service_costs WHERE tenant_id = 'globex' AND cost_usd = 1.0"));
        Assert.Equal(12.5m, await Sum("service_costs", $"cost_type = 'compute' AND {At(H)}"));
        Assert.Equal(7.5m, await _stack.QueryScalarAsync<decimal>($"SELECT cpu_cost_usd FROM service_costs WHERE cost_type = 'compute' AND {At(H)}"));
        Assert.Equal(1.2m, await Sum("network_costs", $"direction = 'egress' AND {At(H)}"));
        Assert.Equal(0.3m, await Sum("network_costs", $"direction = 'ingress' AND {At(H)}"));
        Assert.Equal(0.5m, await Sum("network_costs", $"direction = 'egress' AND {At(H.AddHours(1))}"));
        Assert.Equal(3.0m, await Sum("storage_costs", $"storage_type = 'ssd' AND {At(H)}"));
        Assert.Equal(100m, await _stack.QueryScalarAsync<decimal>($"SELECT storage_gb FROM storage_costs WHERE {At(H)}"));
        var rowsBefore = await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs");
        var writtenBefore = await _stack.QueryScalarAsync<DateTime>("SELECT max(updated_at) FROM service_costs WHERE tenant_id = 'acme'");

        // The same batch again: no total moves and no amount changes (updated_at stays; only the row's ingest_seq moves on).
        await IngestAsync(KnownBatch);
        await Barrier(0.01m);
        Assert.Equal(17.0m, await Sum("service_costs", $"service_name = 'checkout' AND {At(H)}"));
        Assert.Equal(8.5m, await Sum("service_costs", $"service_name = 'checkout' AND {At(H.AddHours(1))}"));
        Assert.Equal(24.0m, await Sum("service_costs", "tenant_id = 'globex'"));
        Assert.Equal(rowsBefore + 1, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs"));
        Assert.Equal(writtenBefore, await _stack.QueryScalarAsync<DateTime>(
            $"SELECT max(updated_at) FROM service_costs WHERE tenant_id = 'acme' AND NOT {At(H.AddHours(-2))}"));

        // A restated compute amount replaces the old bucket.
        await IngestAsync("[" + Rec("checkout", "compute", H, 20m, ""","cpu_cost_usd":12,"memory_cost_usd":8""") + "]");
        await WaitForSum("service_costs", $"service_name = 'checkout' AND {At(H)}", 24.5m);
        Assert.Equal(20m, await Sum("service_costs", $"cost_type = 'compute' AND {At(H)}"));
        Assert.Equal(12m, await _stack.QueryScalarAsync<decimal>($"SELECT cpu_cost_usd FROM service_costs WHERE cost_type = 'compute' AND {At(H)}"));
    }

    [Fact]
    public async Task Scrape_shows_exact_gauges_for_the_latest_hour()
    {
        await IngestAsync(KnownBatch);
        await WaitForSum("service_costs", $"service_name = 'checkout' AND {At(H.AddHours(1))}", 8.5m);

        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "globex", ["service_name"] = "search", ["cost_type"] = "database", ["cloud_provider"] = "gcp" }, 1.0);
        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 8.0);

        Assert.Equal(0.5, Metric.Value(metrics, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "network", ["cloud_provider"] = "aws" }));
        Assert.Null(Metric.Value(metrics, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "storage", ["cloud_provider"] = "aws" }));
        Assert.Equal(5.0, Metric.Value(metrics, "cloudsentinel_cpu_cost_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout" }));
        Assert.Equal(3.0, Metric.Value(metrics, "cloudsentinel_memory_cost_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout" }));
        Assert.Equal(0.5, Metric.Value(metrics, "cloudsentinel_network_cost_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["direction"] = "egress" }));
        Assert.Equal(0.0, Metric.Value(metrics, "cloudsentinel_cost_current_hour_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout" }));
        var monthStart = new DateTime(CurrentHour.Year, CurrentHour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var expectedMonthToDate = (H >= monthStart ? 17.0 : 0) + (H.AddHours(1) >= monthStart ? 8.5 : 0);
        Assert.Equal(expectedMonthToDate, Metric.Value(metrics, "cloudsentinel_cost_month_to_date_usd", new() { ["tenant"] = "acme", ["service_name"] = "checkout" }));
        Assert.Equal(new DateTimeOffset(H.AddHours(1)).ToUnixTimeSeconds(), Metric.Value(metrics, "cloudsentinel_data_latest_hour_timestamp_seconds", new() { ["tenant"] = "acme", ["cloud_provider"] = "aws" }));
        Assert.Equal(new DateTimeOffset(H.AddHours(-1)).ToUnixTimeSeconds(), Metric.Value(metrics, "cloudsentinel_data_latest_hour_timestamp_seconds", new() { ["tenant"] = "globex", ["cloud_provider"] = "gcp" }));
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "globex", ["service_name"] = "search", ["cost_type"] = "database", ["cloud_provider"] = "gcp" }));
        Assert.Equal(7.0, Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = "acme", ["source"] = "http", ["outcome"] = "accepted" }));
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = "globex", ["source"] = "http", ["outcome"] = "accepted" }));
    }

    [Fact]
    public async Task Silo_restart_restores_windows_from_postgres()
    {
        await IngestAsync(KnownBatch);
        await WaitForSum("service_costs", $"service_name = 'checkout' AND {At(H.AddHours(1))}", 8.5m);
        var before = await _stack.Client.GetGrain<IServiceCostGrain>("acme/checkout").GetView();

        await _stack.StopSiloAsync();
        await _stack.StartSiloAsync();
        await _stack.WaitUntilReadyAsync();

        ServiceCostView? after = null;
        await Eventually.Async(async () =>
        {
            after = await _stack.Client.GetGrain<IServiceCostGrain>("acme/checkout").GetView();
            return true;
        }, "the restarted silo to answer");
        Assert.Equal(H.AddHours(1), after!.LatestHour);
        Assert.Equal(8.5m, after.LatestHourUsd);
        Assert.Equal(25.5m, after.Last24HoursUsd);
        Assert.Equal(before.Last7DaysUsd, after.Last7DaysUsd);
        Assert.Equal(before.MonthToDateUsd, after.MonthToDateUsd);
        Assert.Equal(before.BucketCount, after.BucketCount);

        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "checkout", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 8.0);
    }
}
