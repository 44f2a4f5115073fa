using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;
using Npgsql;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// Shared infrastructure allocation end to end on real PostgreSQL: cluster-tagged cost and pod usage
/// over HTTP → cluster grain → pod_costs, shared_infrastructure_allocation, service totals and the
/// gauge. The numbers are the worked examples of docs/allocation.md.
/// </summary>
public sealed class AllocationPipelineTests : IAsyncLifetime
{
    private static readonly DateTime H = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 3);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(
        siloSettings: new Dictionary<string, string?> { ["Allocation:Tenants:sep:IdleMode"] = "Separate" });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string N(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>A cost record billed under service "platform" and tagged with the cluster, as a cloud bill would have it.</summary>
    private static string Cost(string tenant, string type, decimal cost, string extra = "", string tags = "", string clusterTag = "eks:cluster-name", string cluster = "prod-1") =>
        $$"""{"tenant":"{{tenant}}","service_name":"platform","cloud_provider":"aws","cost_type":"{{type}}","account_id":"111","period_start":"{{Ts(H)}}","cost_usd":{{N(cost)}}{{extra}},"tags":{ "{{clusterTag}}":"{{cluster}}"{{tags}} } }""";

    private static string Pod(string tenant, string ns, string pod, string service, decimal cpuRequest, decimal cpuUsage, decimal memRequest, decimal memUsage, string extra = "", string cluster = "prod-1") =>
        $$"""{"tenant":"{{tenant}}","cluster_name":"{{cluster}}","namespace":"{{ns}}","pod_name":"{{pod}}","labels":{"app.kubernetes.io/name":"{{service}}","app":"other"},"period_start":"{{Ts(H)}}","cpu_request_core_hours":{{N(cpuRequest)}},"cpu_usage_core_hours":{{N(cpuUsage)}},"memory_request_gb_hours":{{N(memRequest)}},"memory_usage_gb_hours":{{N(memUsage)}}{{extra}}}""";

    /// <summary>Example 1: node CPU 0.90, memory 0.60, other (a management fee) 0.30.</summary>
    private static readonly string Example1Costs = "[" + string.Join(",",
        Cost("acme", "compute", 1.50m, ""","cpu_cost_usd":0.90,"memory_cost_usd":0.60""", clusterTag: " EKS:Cluster-Name "),
        Cost("acme", "other", 0.30m, clusterTag: "kubernetes_cluster")) + "]";

    private static readonly string Example1Pods = string.Join("\n",
        Pod("acme", "api", "api-a", "api", 1.5m, 0.5m, 1m, 1m),
        Pod("acme", "web", "web-a", "web", 0.5m, 1.0m, 2m, 1m),
        Pod("acme", "web", "web-b", "web", 0.5m, 0.25m, 2m, 3m));

    private const string SharedQuery = """
        SELECT service_name, cluster_name, cpu_allocation_percent, memory_allocation_percent, allocated_cost_usd FROM shared_infrastructure_allocation WHERE resource_type = 'kubernetes' ORDER BY allocated_cost_usd DESC
        """;

    private const string PodQuery = """
        SELECT namespace, pod_name, service_name, cpu_cost_usd, memory_cost_usd, storage_cost_usd, cpu_cost_usd + memory_cost_usd + storage_cost_usd as total_cost FROM pod_costs WHERE tenant_id = 'acme' ORDER BY total_cost DESC LIMIT 50
        """;

    /// <summary>Posts and waits until what was posted, and the shares derived from it, are applied.</summary>
    private async Task PostAsync(string path, string body)
    {
        var response = await _stack.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
    }

    private Task<decimal> SumAsync(string sql) => _stack.QueryScalarAsync<decimal>(sql);

    private async Task WaitForAsync(string sql, decimal expected) =>
        await Eventually.Async(async () => await SumAsync(sql) == expected, $"{sql} to be {expected}");

    private static string SharedSum(string tenant, string where = "true") =>
        $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{tenant}' AND source = 'shared:prod-1' AND {where}";

    [Fact]
    public async Task Example_1_through_http_fills_the_seed_queries_service_totals_and_the_gauge_exactly()
    {
        await PostAsync("/api/cloudsentinel/ingest", Example1Costs);
        await PostAsync("/api/cloudsentinel/ingest/usage", Example1Pods);

        await WaitForAsync("SELECT count(*) FROM pod_costs", 3);
        var shared = await _stack.QueryRowsAsync(SharedQuery);
        Assert.Equal(2, shared.Count);
        Assert.Equal(new object[] { "web", "prod-1", 50m, 83.333333m, 1.150000m }, shared[0]);
        Assert.Equal(new object[] { "api", "prod-1", 50m, 16.666667m, 0.650000m }, shared[1]);

        var pods = await _stack.QueryRowsAsync(PodQuery);
        Assert.Equal(new object[] { "api", "api-a", "api", 0.525m, 0.125m, 0m, 0.65m }, pods[0]);
        Assert.Equal(new object[] { "web", "web-a", "web", 0.35m, 0.25m, 0m, 0.60m }, pods[1]);
        Assert.Equal(new object[] { "web", "web-b", "web", 0.175m, 0.375m, 0m, 0.55m }, pods[2]);

        // The cluster's bill reaches the services once, as compute with its CPU and memory parts,
        // and never under the service name it was billed with.
        await WaitForAsync(SharedSum("acme"), 1.80m);
        Assert.Equal(1.15m, await SumAsync(SharedSum("acme", "service_name = 'web' AND cost_type = 'compute'")));
        Assert.Equal(0.525m, await SumAsync("SELECT cpu_cost_usd FROM service_costs WHERE service_name = 'web' AND source = 'shared:prod-1'"));
        Assert.Equal(0.625m, await SumAsync("SELECT memory_cost_usd FROM service_costs WHERE service_name = 'web' AND source = 'shared:prod-1'"));
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE service_name = 'platform'"));
        Assert.Equal(1.80m, await SumAsync("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme'"));

        var labels = new Dictionary<string, string> { ["tenant"] = "acme", ["cluster_name"] = "prod-1", ["resource_type"] = "kubernetes", ["service_name"] = "web" };
        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_shared_cost_allocated_usd", labels, 1.15);
        Assert.Equal(0.65, Metric.Value(metrics, "cloudsentinel_shared_cost_allocated_usd", new(labels) { ["service_name"] = "api" }));
        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "acme", ["service_name"] = "web", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 1.15);
    }

    [Fact]
    public async Task Example_1_sixty_days_old_is_allocated_from_postgres_though_the_grain_holds_only_35_days()
    {
        string Old(string body) => body.Replace(Ts(H), Ts(H.AddDays(-60)), StringComparison.Ordinal).Replace("\"acme\"", "\"hist\"", StringComparison.Ordinal);
        await PostAsync("/api/cloudsentinel/ingest", Old(Example1Costs));
        await PostAsync("/api/cloudsentinel/ingest/usage", Old(Example1Pods));

        await WaitForAsync(SharedSum("hist"), 1.80m);
        Assert.Equal(1.15m, await SumAsync(SharedSum("hist", "service_name = 'web'")));
        Assert.Equal(0.65m, await SumAsync(SharedSum("hist", "service_name = 'api'")));
        Assert.Equal(1.80m, await SumAsync("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'hist'"));
        Assert.Equal(3, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM pod_costs WHERE tenant_id = 'hist'"));
        Assert.Equal(1.80m, await SumAsync("SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation WHERE tenant_id = 'hist'"));
    }

    [Fact]
    public async Task Late_usage_recomputes_the_hour_and_nothing_doubles_even_after_a_restart()
    {
        await PostAsync("/api/cloudsentinel/ingest", Example1Costs);
        await PostAsync("/api/cloudsentinel/ingest/usage", Example1Pods);
        await WaitForAsync(SharedSum("acme", "service_name = 'api'"), 0.65m);

        // A late report moves api-a to another service: api's shared bucket must drop to zero, not linger.
        await PostAsync("/api/cloudsentinel/ingest/usage", Pod("acme", "api", "api-a", "api-v2", 1.5m, 0.5m, 1m, 1m));
        await WaitForAsync(SharedSum("acme", "service_name = 'api-v2'"), 0.65m);
        await WaitForAsync(SharedSum("acme", "service_name = 'api'"), 0m);
        await WaitForAsync(SharedSum("acme"), 1.80m);
        // The hour's rows are replaced whole: api's row is gone, not left beside api-v2's.
        await WaitForAsync("SELECT count(*) FROM shared_infrastructure_allocation WHERE service_name = 'api-v2'", 1);
        Assert.Equal(new object[] { "api-v2", "prod-1", 50m, 16.666667m, 0.650000m }, (await _stack.QueryRowsAsync(SharedQuery))[1]);
        Assert.Equal(2, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM shared_infrastructure_allocation"));

        await _stack.StopSiloAsync();
        await _stack.StartSiloAsync();
        await _stack.WaitUntilReadyAsync();

        // After the restart the grain has its inputs and knows what services hold: a new pod
        // recomputes the whole hour from all of them, and api-v2 gives up part of its share.
        await PostAsync("/api/cloudsentinel/ingest/usage", Pod("acme", "batch", "batch-1", "batch", 3m, 0m, 6m, 0m));
        await WaitForAsync("SELECT count(*) FROM pod_costs", 4);
        await WaitForAsync(SharedSum("acme", "service_name = 'batch'"), 0.5250m + 0.3750m);
        // Each service grain stores its own update, so they are waited for one by one.
        await WaitForAsync(SharedSum("acme", "service_name = 'api-v2'"), 0.2625m + 0.0625m);
        await WaitForAsync(SharedSum("acme"), 1.80m);
        Assert.Equal(1.80m, await SumAsync("SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation"));
        Assert.Equal(1.80m, await SumAsync("SELECT sum(cpu_cost_usd + memory_cost_usd + storage_cost_usd) FROM pod_costs"));

        // A restated node bill replaces its bucket: the hour is allocated from 3.00, not 1.50 + 3.00.
        await PostAsync("/api/cloudsentinel/ingest", "[" + Cost("acme", "compute", 3.00m, ""","cpu_cost_usd":1.80,"memory_cost_usd":1.20""") + "]");
        await WaitForAsync(SharedSum("acme"), 3.30m);
        await WaitForAsync("SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation", 3.30m);
    }

    [Fact]
    public async Task Example_2_idle_reported_separately_with_kube_system_shared()
    {
        await PostAsync("/api/cloudsentinel/ingest", "[" + Cost("sep", "compute", 6.00m, ""","cpu_cost_usd":4.00,"memory_cost_usd":2.00""",
            tags: ""","cpu_capacity_core_hours":"8","memory_capacity_gb_hours":"32" """) + "]");
        await PostAsync("/api/cloudsentinel/ingest/usage", "[" + string.Join(",",
            Pod("sep", "kube-system", "coredns-1", "coredns", 0.5m, 0.1m, 2m, 1m),
            Pod("sep", "shop", "api-1", "api", 1.5m, 1.2m, 6m, 5m),
            Pod("sep", "shop", "web-1", "web", 2m, 1.8m, 8m, 7.5m)) + "]");

        await WaitForAsync("SELECT count(*) FROM shared_infrastructure_allocation", 3);
        var shared = await _stack.QueryRowsAsync(SharedQuery);
        Assert.Equal(new object[] { "__idle__", "prod-1", 50m, 50m, 3.000000m }, shared[0]);
        Assert.Equal(new object[] { "web", "prod-1", 28.571429m, 28.571429m, 1.714286m }, shared[1]);
        Assert.Equal(new object[] { "api", "prod-1", 21.428571m, 21.428571m, 1.285714m }, shared[2]);
        await WaitForAsync(SharedSum("sep", "service_name = '__idle__'"), 3.00m);
        Assert.Equal(0.000000m, await SumAsync("SELECT cpu_cost_usd + memory_cost_usd FROM pod_costs WHERE pod_name = 'coredns-1'"));
    }

    [Fact]
    public async Task Example_3_storage_and_load_balancers_flow_to_services_and_the_api_explains_them()
    {
        string Lb(string name, decimal cost) => Cost("acme", "network", cost, tags: $$""","load_balancer":"{{name}}" """, clusterTag: "cluster");
        await PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",",
            Cost("acme", "compute", 0.60m, ""","cpu_cost_usd":0.40,"memory_cost_usd":0.20"""),
            Cost("acme", "storage", 0.10m, ""","storage_type":"gp3","storage_gb":500"""),
            Cost("acme", "storage", 0.05m, ""","storage_type":"standard","storage_gb":100"""),
            Lb("public", 0.025m), Lb("internal", 0.01m), Lb("old", 0.002m)) + "]");
        await PostAsync("/api/cloudsentinel/ingest/usage", "[" + string.Join(",",
            Pod("acme", "shop", "api-1", "api", 1, 0, 4, 0, ""","storage_type":"gp3","storage_gb_hours":100,"load_balancer":"public","lb_requests":1000"""),
            Pod("acme", "shop", "web-1", "web", 1, 0, 4, 0, ""","storage_type":"gp3","storage_gb_hours":100,"load_balancer":"public","lb_requests":3000"""),
            Pod("acme", "jobs", "worker-1", "worker", 1, 0, 4, 0, ""","storage_type":"gp3","storage_gb_hours":100,"load_balancer":"internal" """),
            Pod("acme", "jobs", "report-1", "report", 1, 0, 4, 0, ""","load_balancer":"internal" """)) + "]");

        await WaitForAsync(SharedSum("acme"), 0.787m);
        Assert.Equal(0.033334m, await SumAsync(SharedSum("acme", "service_name = 'api' AND cost_type = 'storage' AND breakdown = 'gp3'")));
        Assert.Equal(0.05m, await SumAsync("SELECT sum(cost_usd) FROM storage_costs WHERE service_name = '__idle__' AND storage_type = 'standard'"));
        Assert.Equal(0.01875m, await SumAsync(SharedSum("acme", "service_name = 'web' AND cost_type = 'network'")));
        await WaitForAsync("SELECT sum(cpu_cost_usd + memory_cost_usd + storage_cost_usd) FROM pod_costs WHERE pod_name = 'api-1'", 0.183334m);

        var response = await _stack.Http.GetAsync($"/api/cloudsentinel/allocation?tenant=acme&cluster=prod-1&from={Ts(H)}&to={Ts(H.AddHours(1))}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var hour = json.RootElement.GetProperty("hours")[0];
        Assert.Equal(0.787m, hour.GetProperty("totals").GetProperty("totalUsd").GetDecimal());
        Assert.Equal(4, hour.GetProperty("usage").GetArrayLength());
        var publicLb = hour.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("pool").GetString() == "public");
        Assert.Equal("LbRequests", publicLb.GetProperty("basis").GetString());
        Assert.Equal(0.01875m, publicLb.GetProperty("shares").EnumerateArray().Single(s => s.GetProperty("serviceName").GetString() == "web").GetProperty("costUsd").GetDecimal());
    }

    [Theory]
    [InlineData("tenant=acme&cluster=prod-1", "from is required")]
    [InlineData("tenant=Bad Tenant&cluster=prod-1&from=2026-01-01T00:00:00Z", "tenant")]
    [InlineData("tenant=acme&from=2026-01-01T00:00:00Z", "cluster is required")]
    [InlineData("tenant=acme&cluster=c&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "longer than 168 hours")]
    [InlineData("tenant=acme&cluster=c&from=yesterday", "not an RFC 3339 timestamp")]
    public async Task Allocation_api_rejects_bad_parameters(string query, string reason)
    {
        var response = await _stack.Http.GetAsync("/api/cloudsentinel/allocation?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"tenant":"acme","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"TS","memory_request_gb_hours":-1}""", "memory_request_gb_hours", "must not be negative")]
    [InlineData("""{"tenant":"acme","namespace":"n","pod_name":"p","period_start":"TS"}""", "cluster_name", "is required")]
    [InlineData("""{"tenant":"Not A Tenant","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"TS"}""", "tenant", "does not match")]
    [InlineData("""{"tenant":"acme","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"TS","storage_gb_hours":5}""", "storage_gb_hours", "needs storage_type")]
    [InlineData("""{"tenant":"acme","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"TS","service_name":"__idle__"}""", "service_name", "reserved")]
    public async Task Bad_usage_is_rejected_whole_naming_record_and_field(string bad, string field, string reason)
    {
        var good = Pod("acme", "web", "web-a", "web", 1m, 1m, 1m, 1m);
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest/usage", $"[{good},{bad.Replace("TS", Ts(H))}]");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal(1, error.GetProperty("record").GetInt32());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(reason, error.GetProperty("reason").GetString());
        Assert.Contains("nothing from this request was applied", json.RootElement.GetProperty("detail").GetString());
        var metrics = await _stack.ScrapeAsync();
        var tenant = field == "tenant" ? "_invalid" : "acme";
        Assert.Equal(field == "tenant" ? 1.0 : 2.0, Metric.Value(metrics, "cloudsentinel_ingest_records_total", new() { ["tenant"] = tenant, ["source"] = "usage", ["outcome"] = "rejected" }));
    }

    [Fact]
    public async Task Accepted_usage_is_counted_per_tenant()
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest/usage", $"[{Pod("acme", "web", "web-a", "web", 1m, 1m, 1m, 1m)},{Pod("acme", "web", "web-b", "web", 1m, 1m, 1m, 1m)}]");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(2.0, Metric.Value(await _stack.ScrapeAsync(), "cloudsentinel_ingest_records_total", new() { ["tenant"] = "acme", ["source"] = "usage", ["outcome"] = "accepted" }));
    }
}
