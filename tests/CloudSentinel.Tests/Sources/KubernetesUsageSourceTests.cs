using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudSentinel.Cli;
using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Sources;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Tests.Sources;

/// <summary>
/// The kubernetes source end to end: a synthetic cluster's kube-state-metrics and cAdvisor history,
/// loaded into a real Prometheus as TSDB blocks by promtool, read back by the source through a real
/// silo into PostgreSQL, and allocated exactly as the same usage posted as JSON to a twin cluster
/// with the same bill.
/// </summary>
public sealed class KubernetesUsageSourceTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private const string Source = "k8s-prod";
    private const string FromPrometheus = "prom-1";
    private const string FromJson = "json-1";
    private static readonly DateTime Now = DateTime.UtcNow;

    /// <summary>The start of the running hour: the history ends where it begins.</summary>
    private static readonly DateTime CurrentHour = new DateTime(Now.Ticks - Now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    // 30 hours ending with the last ended hour, so the history spans two or three UTC days.
    private readonly SyntheticKubernetesCluster _cluster = new(CurrentHour.AddHours(-30), 30);
    private PrometheusServer _prometheus = null!;
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync()
    {
        PrometheusServer.RequireInstalled();
        // Prometheus must scrape something; nothing answers on port 9 and no test reads that job.
        _prometheus = await PrometheusServer.StartAsync("127.0.0.1:9", TimeSpan.FromMinutes(1), "unused", _cluster.OpenMetrics());
        // The gateway reloads the node map often, so a test need not wait 30 s for what the silo stored.
        _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?> { ["Allocation:NodeMapRefresh"] = "00:00:00.200" }, siloSettings: new Dictionary<string, string?>
        {
            ["Sources:0:Tenant"] = Tenant,
            ["Sources:0:Name"] = Source,
            ["Sources:0:Kind"] = "kubernetes",
            ["Sources:0:Endpoint"] = _prometheus.Address.ToString(),
            ["Sources:0:ClusterName"] = FromPrometheus,
            ["Sources:0:FirstPollDelay"] = "01:00:00",
            // A second cluster whose Prometheus is never up: its failures must not touch the first.
            ["Sources:1:Tenant"] = Tenant,
            ["Sources:1:Name"] = "k8s-dead",
            ["Sources:1:Kind"] = "kubernetes",
            ["Sources:1:Endpoint"] = "http://127.0.0.1:9/",
            ["Sources:1:ClusterName"] = "dead-1",
            ["Sources:1:FirstPollDelay"] = "01:00:00",
        });
        await PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", _cluster.CostJson(Tenant, FromPrometheus).Concat(_cluster.CostJson(Tenant, FromJson))) + "]");
        await PostAsync("/api/cloudsentinel/ingest/usage", string.Join("\n", _cluster.UsageJson(Tenant, FromJson)));
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _prometheus.DisposeAsync();
    }

    private ICostSourcePollerGrain Poller => _stack.Client.GetGrain<ICostSourcePollerGrain>($"{Tenant}/{Source}");

    private async Task PostAsync(string path, string body)
    {
        var response = await _stack.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
    }

    private int PodHours => Enumerable.Range(0, _cluster.Hours).Sum(h => _cluster.Pods.Count(p => p.RunsInHour(h)));

    [Fact]
    public async Task The_connector_reads_back_exactly_the_usage_each_pod_hour_had_through_gaps_and_cadvisor_pod_series()
    {
        using var http = new HttpClient();
        var connector = new KubernetesUsageConnector(http, new KubernetesUsageOptions { Tenant = Tenant, ClusterName = FromJson, Endpoint = _prometheus.Address });
        var result = await connector.PollAsync(new PollWindow(_cluster.FirstHour, CurrentHour.AddHours(1)));

        Assert.Equal(KubernetesUsageQueries.For(new KubernetesUsageOptions { Tenant = Tenant, ClusterName = FromJson, Endpoint = _prometheus.Address }).Count, result.ApiCalls);
        var read = result.Usage.Select(Line).ToList();
        var truth = _cluster.UsageJson(Tenant, FromJson).Select(j => Line(JsonDocument.Parse(j).RootElement)).ToList();
        Assert.Equal(PodHours, truth.Count);
        Assert.Equal(truth.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
        // The gap hours are whole too, not 50/60 or 55/60 of the pods' usage.
        Assert.Contains(read, l => l.StartsWith(_cluster.FirstHour.AddHours(_cluster.GapHour).ToString("O") + " shop/api-1 api 0.5 0.3125 1 0.625 gp3 20 shop/web-lb", StringComparison.Ordinal));
        Assert.Contains(read, l => l.StartsWith(_cluster.FirstHour.AddHours(_cluster.CadvisorGapHour).ToString("O") + " shop/web-1 web 1 1.25 2 1.5 standard 5 shop/web-lb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backfilled_from_Prometheus_the_allocation_equals_the_json_posted_one_to_the_micro_dollar_and_a_reread_changes_nothing()
    {
        await BackfillAsync();
        await _stack.WaitForSettledAsync();
        await AssertSameAllocationAsync();

        var again = await Poller.PollNow();
        Assert.True(again.Succeeded, again.Error);
        // The default look-back of a kubernetes source: the 6 ended hours.
        Assert.Equal((CurrentHour.AddHours(-6), CurrentHour), (again.From, again.To));
        await _stack.WaitForSettledAsync();
        await AssertSameAllocationAsync();

        var status = await Poller.GetStatus();
        Assert.True(status.Up);
        Assert.Equal("kubernetes", status.Kind);
    }

    [Fact]
    public async Task A_node_billed_without_a_cluster_tag_is_allocated_to_the_cluster_whose_prometheus_names_its_instance_and_not_to_its_service()
    {
        await BackfillAsync();
        await _stack.WaitForSettledAsync();
        Assert.Equal(FromPrometheus, Assert.Single(await _stack.QueryRowsAsync(
            $"SELECT cluster_name FROM cluster_nodes WHERE tenant_id = 'acme' AND instance_id = '{SyntheticKubernetesCluster.NodeInstance}'"))[0]);
        // The gateway routes by the map it reloads from cluster_nodes (Allocation:NodeMapRefresh).
        var map = _stack.Gateway.Services.GetRequiredService<ClusterNodeMap>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (map.ClusterOf(Tenant, SyntheticKubernetesCluster.NodeInstance) is null && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(FromPrometheus, map.ClusterOf(Tenant, SyntheticKubernetesCluster.NodeInstance.ToUpperInvariant()));

        // The untagged line of the node, and its cluster-tagged twin of the JSON cluster.
        await PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", _cluster.NodeCostJson(Tenant, null).Concat(_cluster.NodeCostJson(Tenant, FromJson))) + "]");

        await AssertSameAllocationAsync();
        var kubernetes = await _stack.QueryRowsAsync($"""
            SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation
            WHERE tenant_id = 'acme' AND cluster_name = '{FromPrometheus}' AND resource_type = 'kubernetes' AND "timestamp" = '{_cluster.FirstHour:O}'
            """);
        // 1.50 of the tagged nodes and 0.60 of the untagged one.
        Assert.Equal(2.10m, (decimal)Assert.Single(kubernetes)[0]);
        Assert.Empty(await _stack.QueryRowsAsync("SELECT 1 FROM service_costs WHERE tenant_id = 'acme' AND service_name = 'ec2-nodes'"));
    }

    [Fact]
    public async Task Prometheus_stopped_mid_backfill_degrades_the_source_and_a_backfill_after_it_returns_is_exact()
    {
        var days = Days();
        Assert.True(days.Count >= 2, "the history must span two UTC days");
        var first = await Poller.Backfill(days[0], days[0].AddDays(1));
        Assert.True(first.Succeeded, first.Error);

        await _prometheus.StopAsync();
        var down = await Poller.Backfill(days[1], days[1].AddDays(1));
        Assert.False(down.Succeeded);
        Assert.False(down.Stopped);
        var status = await Poller.GetStatus();
        Assert.False(status.Up);
        Assert.Contains("connection failed", status.LastError);

        var dead = await _stack.Client.GetGrain<ICostSourcePollerGrain>($"{Tenant}/k8s-dead").PollNow();
        Assert.False(dead.Succeeded);

        await _prometheus.RestartAsync();
        await BackfillAsync();
        await _stack.WaitForSettledAsync();
        await AssertSameAllocationAsync();
        Assert.True((await Poller.GetStatus()).Up);

        // The status endpoint and the gauges show one source up and the other down.
        using var sources = JsonDocument.Parse(await _stack.Http.GetStringAsync("/api/cloudsentinel/sources"));
        var byName = sources.RootElement.GetProperty("sources").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.True(byName[Source].GetProperty("up").GetBoolean());
        Assert.Equal("kubernetes", byName[Source].GetProperty("kind").GetString());
        Assert.False(byName["k8s-dead"].GetProperty("up").GetBoolean());
        Assert.Contains("connection failed", byName["k8s-dead"].GetProperty("lastError").GetString());
        await _stack.Gateway.Services.GetRequiredService<SourceStatusPoller>().PollOnceAsync();
        var metrics = await _stack.ScrapeAsync();
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_source_up", new() { ["tenant"] = Tenant, ["source"] = Source }));
        Assert.Equal(0.0, Metric.Value(metrics, "cloudsentinel_source_up", new() { ["tenant"] = Tenant, ["source"] = "k8s-dead" }));
    }

    [Fact]
    public async Task A_prometheus_without_kube_state_metrics_names_the_metric_and_what_to_deploy()
    {
        using var http = new HttpClient();
        var connector = new KubernetesUsageConnector(http, new KubernetesUsageOptions
        {
            Tenant = Tenant, ClusterName = FromJson, Endpoint = _prometheus.Address, Selector = "cluster=\"elsewhere\"",
        });
        var error = await Assert.ThrowsAsync<ConnectorException>(() => connector.PollAsync(new PollWindow(_cluster.FirstHour, CurrentHour)));
        Assert.Contains("kube_pod_container_resource_requests{resource=\"cpu\"}", error.Message);
        Assert.Contains("deploy kube-state-metrics", error.Message);
    }

    private List<DateTime> Days()
    {
        var days = new List<DateTime>();
        for (var day = _cluster.FirstHour.Date; day <= CurrentHour.Date; day = day.AddDays(1)) days.Add(DateTime.SpecifyKind(day, DateTimeKind.Utc));
        return days;
    }

    /// <summary>The CLI's backfill (<c>cloudsentinel backfill --source</c>, through the gateway), day by day over the whole history.</summary>
    private async Task BackfillAsync()
    {
        var days = Days();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(
            ["backfill", "--tenant", Tenant, "--source", Source, "--from", $"{days[0]:yyyy-MM-dd}", "--to", $"{days[^1]:yyyy-MM-dd}",
             "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken],
            stdout, stderr);
        Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        Assert.Contains($"{days.Count} days, {PodHours} records", stdout.ToString());
    }

    private async Task AssertSameAllocationAsync()
    {
        const string pods = """
            SELECT "timestamp", namespace, pod_name, service_name, cpu_cost_usd, memory_cost_usd, storage_cost_usd
            FROM pod_costs WHERE tenant_id = 'acme' AND cluster_name = '{0}' ORDER BY 1, 2, 3
            """;
        const string shared = """
            SELECT "timestamp", resource_type, service_name, cpu_allocation_percent, memory_allocation_percent, allocated_cost_usd
            FROM shared_infrastructure_allocation WHERE tenant_id = 'acme' AND cluster_name = '{0}' ORDER BY 1, 2, 3
            """;
        var expectedPods = Rows(await _stack.QueryRowsAsync(string.Format(CultureInfo.InvariantCulture, pods, FromJson)));
        var expectedShared = Rows(await _stack.QueryRowsAsync(string.Format(CultureInfo.InvariantCulture, shared, FromJson)));
        Assert.Equal(PodHours, expectedPods.Count);
        // Every hour has kubernetes, both storage classes and the load balancer.
        Assert.Contains(expectedShared, r => r.Contains(" load_balancer api ", StringComparison.Ordinal));
        Assert.Contains(expectedShared, r => r.Contains(" storage web ", StringComparison.Ordinal));
        Assert.Equal(expectedPods, Rows(await _stack.QueryRowsAsync(string.Format(CultureInfo.InvariantCulture, pods, FromPrometheus))));
        Assert.Equal(expectedShared, Rows(await _stack.QueryRowsAsync(string.Format(CultureInfo.InvariantCulture, shared, FromPrometheus))));
    }

    private static List<string> Rows(List<object[]> rows) =>
        rows.Select(r => string.Join(" ", r.Select(v => v switch
        {
            DateTime t => t.ToUniversalTime().ToString("O"),
            decimal d => d.ToString("0.000000", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        }))).ToList();

    private static string Line(UsageRecordFieldsView r) =>
        $"{r.Start:O} {r.Namespace}/{r.Pod} {r.Service} {D(r.CpuRequest)} {D(r.CpuUsage)} {D(r.MemoryRequest)} {D(r.MemoryUsage)} {r.StorageType} {D(r.StorageGbHours)} {r.LoadBalancer}";

    /// <summary>0.5 and 0.500000 are the same quantity.</summary>
    private static string D(decimal? d) => d?.ToString("0.##########", CultureInfo.InvariantCulture) ?? "";

    private static string Line(UsageRecordFields f) =>
        Line(new UsageRecordFieldsView(f.PeriodStart!.Value, f.Namespace!, f.PodName!, f.ServiceName!, f.CpuRequestCoreHours ?? 0, f.CpuUsageCoreHours ?? 0,
            f.MemoryRequestGbHours ?? 0, f.MemoryUsageGbHours ?? 0, f.StorageType, f.StorageGbHours, f.LoadBalancer));

    private static string Line(JsonElement j) =>
        Line(new UsageRecordFieldsView(j.GetProperty("period_start").GetDateTime().ToUniversalTime(), j.GetProperty("namespace").GetString()!, j.GetProperty("pod_name").GetString()!,
            j.GetProperty("service_name").GetString()!, j.GetProperty("cpu_request_core_hours").GetDecimal(), j.GetProperty("cpu_usage_core_hours").GetDecimal(),
            j.GetProperty("memory_request_gb_hours").GetDecimal(), j.GetProperty("memory_usage_gb_hours").GetDecimal(),
            j.TryGetProperty("storage_type", out var st) ? st.GetString() : null, j.TryGetProperty("storage_gb_hours", out var gb) ? gb.GetDecimal() : null,
            j.TryGetProperty("load_balancer", out var lb) ? lb.GetString() : null));

    private sealed record UsageRecordFieldsView(DateTime Start, string Namespace, string Pod, string Service, decimal CpuRequest, decimal CpuUsage,
        decimal MemoryRequest, decimal MemoryUsage, string? StorageType, decimal? StorageGbHours, string? LoadBalancer);
}
