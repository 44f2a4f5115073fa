using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// Real Prometheus (Debian's binary) scraping the real gateway every 2 s with the repository's rule
/// files, after the real pipeline on real PostgreSQL was fed one tenant that exercises every
/// dashboard and alert: a service with ten flat days and a spike in the hour that just ended, a
/// service over its budget, untagged cost above USD 100/hour and a shared Kubernetes cluster.
/// Prometheus' own history of the spiking service (the six hours that ServiceCostSpike compares
/// with) is backfilled with promtool before it starts, as if it had been scraping all along.
/// </summary>
public sealed class PrometheusEndToEndFixture : IAsyncLifetime
{
    public const string Tenant = "e2e";
    public const string SpikeService = "checkout";
    public const string OverBudgetService = "billing";
    public const decimal OverBudgetUsd = 4m;
    public const decimal OverBudgetHourlyUsd = 5m;
    public const double UntaggedHourlyUsd = 150;
    public const int HistoryHours = 240;
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(2);

    public CloudSentinelStack Stack { get; private set; } = null!;

    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>The gateway as Prometheus scrapes it: its <c>instance</c> label.</summary>
    public string GatewayTarget { get; private set; } = "";

    public DateTime CurrentHour { get; private set; }

    public DateTime SpikeHour => CurrentHour.AddHours(-1);

    public DateTimeOffset PrometheusStarted { get; private set; }

    public async Task InitializeAsync()
    {
        PrometheusServer.RequireInstalled();
        // The spike is USD 3 off its expected 2.00/hour: under the default paging floor of USD 10, so this tenant pages from USD 1.
        Stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?> { ["Alerts:TenantAnomalyImpactFloorUsd:" + Tenant] = "1" });
        await WaitOutTheEndOfTheHourAsync();
        CurrentHour = HourStart(DateTime.UtcNow);
        await SeedAsync();
        await WaitForGaugesAsync();

        GatewayTarget = $"{Stack.Http.BaseAddress!.Host}:{Stack.Http.BaseAddress.Port}";
        Prometheus = await PrometheusServer.StartAsync(GatewayTarget, ScrapeInterval, CloudSentinelStack.AdminToken, Backfill(DateTimeOffset.UtcNow));
        PrometheusStarted = DateTimeOffset.UtcNow;
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null) await Prometheus.DisposeAsync();
        if (Stack is not null) await Stack.DisposeAsync();
    }

    public static DateTime HourStart(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);

    /// <summary>The hours whose cost counts toward this month's month-to-date of the over-budget service.</summary>
    public decimal OverBudgetMonthToDate()
    {
        var monthStart = new DateTime(CurrentHour.Year, CurrentHour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        return Enumerable.Range(0, HistoryHours + 2).Select(i => CurrentHour.AddHours(-i)).Count(h => h >= monthStart) * OverBudgetHourlyUsd;
    }

    /// <summary>
    /// The running-hour panel needs data in the running hour, which becomes the latest hour when the
    /// hour ends. Seeding in the last minute of an hour would let that happen before the panels are
    /// read, so such a run first waits for the next hour.
    /// </summary>
    private static async Task WaitOutTheEndOfTheHourAsync()
    {
        var now = DateTime.UtcNow;
        var left = HourStart(now).AddHours(1) - now;
        if (left < TimeSpan.FromMinutes(1)) await Task.Delay(left + TimeSpan.FromSeconds(1));
    }

    private async Task SeedAsync()
    {
        var records = new List<Dictionary<string, object>>();
        for (var i = HistoryHours; i >= 1; i--)
        {
            records.AddRange(Checkout(SpikeHour.AddHours(-i), spike: false));
        }

        // The running hour repeats the spike: the running-hour panel has data, and should the hour
        // end during the run, the new latest hour has the same costs and the same z-score.
        records.AddRange(Checkout(SpikeHour, spike: true));
        records.AddRange(Checkout(CurrentHour, spike: true));
        for (var i = HistoryHours; i >= -1; i--)
        {
            records.Add(Cost(OverBudgetService, "database", "gcp", SpikeHour.AddHours(-i), OverBudgetHourlyUsd));
        }

        // No service_name: reported as service "untagged".
        records.Add(Cost(null, "compute", "aws", SpikeHour, (decimal)UntaggedHourlyUsd));

        // docs/allocation.md, example 1: one cluster's hour, billed under "platform" and tagged with
        // the cluster, split over the services of its pods.
        records.Add(Cost("platform", "compute", "aws", SpikeHour, 1.50m, new() { ["cpu_cost_usd"] = 0.90m, ["memory_cost_usd"] = 0.60m, ["tags"] = Cluster() }));
        records.Add(Cost("platform", "other", "aws", SpikeHour, 0.30m, new() { ["tags"] = Cluster() }));
        await PostAsync("/api/cloudsentinel/ingest", JsonSerializer.Serialize(records));
        await PostAsync("/api/cloudsentinel/ingest/usage", JsonSerializer.Serialize(new[]
        {
            Pod("api", "api-a", 1.5m, 0.5m, 1m, 1m),
            Pod("web", "web-a", 0.5m, 1.0m, 2m, 1m),
            Pod("web", "web-b", 0.5m, 0.25m, 2m, 3m),
        }));

        await PutBudgetAsync(OverBudgetService, OverBudgetUsd);
        await PutBudgetAsync(SpikeService, 100_000m);
        await PutBudgetAsync("*", 10_000_000m);
    }

    /// <summary>
    /// Waits until the gateway exports what the alerts and panels need, so that Prometheus' very
    /// first scrape already sees the spike (an earlier, lower scrape would dilute its 5m average).
    /// </summary>
    private async Task WaitForGaugesAsync()
    {
        Dictionary<string, string> Service(string service) => new() { ["tenant"] = Tenant, ["service_name"] = service };
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_anomaly_zscore", Service(SpikeService), 10.0);
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_anomaly_impact_usd", Service(SpikeService), 3.0);
        await Metric.WaitForAsync(Stack, "cloudsentinel_anomaly_impact_floor_usd", new() { ["tenant"] = Tenant }, 1.0);
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_expected_usd", Service(SpikeService), 2.0);
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_current_hour_usd", Service(SpikeService), 5.0);
        await Metric.WaitForAsync(Stack, "cloudsentinel_service_budget_usd", Service(OverBudgetService), (double)OverBudgetUsd);
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_month_to_date_usd", Service(OverBudgetService), (double)OverBudgetMonthToDate());
        await Metric.WaitForAsync(Stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = Tenant, ["service_name"] = "untagged", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, UntaggedHourlyUsd);
        await Metric.WaitForAsync(Stack, "cloudsentinel_shared_cost_allocated_usd",
            new() { ["tenant"] = Tenant, ["cluster_name"] = "prod-1", ["resource_type"] = "kubernetes", ["service_name"] = "web" }, 1.15);
        await Eventually.Async(async () => Metric.Value(await Stack.ScrapeAsync(), "cloudsentinel_cost_forecast_month_usd", Service(OverBudgetService)) > (double)OverBudgetUsd,
            "the over-budget service's forecast");
    }

    /// <summary>
    /// What Prometheus would have scraped from 7 h 5 m to 65 m ago had it been running: the spiking
    /// service's latest-hour cost at its flat 2.00 USD/hour, one sample a minute, under the labels
    /// the live scrape gives it (job and instance included), so history and live data are one series.
    /// </summary>
    private string Backfill(DateTimeOffset now)
    {
        var lines = new StringBuilder("# HELP cloudsentinel_cost_per_service_usd Backfilled history.\n# TYPE cloudsentinel_cost_per_service_usd gauge\n");
        var series = new (string CostType, string Value)[] { ("compute", "1.2"), ("storage", "0.5"), ("network", "0.3") };
        for (var t = now.AddHours(-7).AddMinutes(-5); t <= now.AddMinutes(-65); t = t.AddMinutes(1))
        {
            foreach (var (costType, value) in series)
            {
                lines.Append(CultureInfo.InvariantCulture,
                    $"cloudsentinel_cost_per_service_usd{{cloud_provider=\"aws\",cost_type=\"{costType}\",instance=\"{GatewayTarget}\",job=\"cloudsentinel\",service_name=\"{SpikeService}\",tenant=\"{Tenant}\"}} {value} {t.ToUnixTimeSeconds()}\n");
            }
        }

        return lines.Append("# EOF\n").ToString();
    }

    /// <summary>2.00 USD in a flat hour, 5.00 in a spike hour (z = 3.00 / 0.30 = 10, docs/anomalies.md example 1), with every breakdown the deep dive shows.</summary>
    private static IEnumerable<Dictionary<string, object>> Checkout(DateTime hour, bool spike) =>
    [
        Cost(SpikeService, "compute", "aws", hour, spike ? 3.40m : 1.20m,
            new() { ["cpu_cost_usd"] = spike ? 2.40m : 0.80m, ["memory_cost_usd"] = spike ? 1.00m : 0.40m }),
        Cost(SpikeService, "storage", "aws", hour, 0.50m, new() { ["storage_type"] = "ssd", ["storage_gb"] = 100 }),
        Cost(SpikeService, "network", "aws", hour, spike ? 0.80m : 0.20m, new() { ["direction"] = "egress" }),
        Cost(SpikeService, "network", "aws", hour, spike ? 0.30m : 0.10m, new() { ["direction"] = "ingress" }),
    ];

    private static Dictionary<string, object> Cost(string? service, string costType, string provider, DateTime hour, decimal usd, Dictionary<string, object>? extra = null)
    {
        var record = new Dictionary<string, object>
        {
            ["tenant"] = Tenant,
            ["cloud_provider"] = provider,
            ["cost_type"] = costType,
            ["period_start"] = hour,
            ["cost_usd"] = usd,
        };
        if (service is not null) record["service_name"] = service;
        foreach (var (key, value) in extra ?? []) record[key] = value;
        return record;
    }

    private static Dictionary<string, string> Cluster() => new() { ["cluster"] = "prod-1" };

    private Dictionary<string, object> Pod(string service, string pod, decimal cpuRequest, decimal cpuUsage, decimal memoryRequest, decimal memoryUsage) => new()
    {
        ["tenant"] = Tenant,
        ["cluster_name"] = "prod-1",
        ["namespace"] = service,
        ["pod_name"] = pod,
        ["service_name"] = service,
        ["period_start"] = SpikeHour,
        ["cpu_request_core_hours"] = cpuRequest,
        ["cpu_usage_core_hours"] = cpuUsage,
        ["memory_request_gb_hours"] = memoryRequest,
        ["memory_usage_gb_hours"] = memoryUsage,
    };

    private async Task PostAsync(string path, string body)
    {
        var response = await Stack.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {await response.Content.ReadAsStringAsync()}");
        await Stack.WaitForSettledAsync();
    }

    private async Task PutBudgetAsync(string service, decimal amount)
    {
        var response = await Stack.Http.PutAsync($"/api/cloudsentinel/budgets/{Tenant}/{service}",
            new StringContent($$"""{"amount_usd": {{amount.ToString(CultureInfo.InvariantCulture)}}}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"budget of {service}: {await response.Content.ReadAsStringAsync()}");
    }
}

public sealed class PrometheusEndToEndTests(PrometheusEndToEndFixture fixture) : IClassFixture<PrometheusEndToEndFixture>
{
    private const string Tenant = PrometheusEndToEndFixture.Tenant;

    /// <summary>How far back range panels are queried: the live part of Prometheus' data.</summary>
    private static readonly TimeSpan PanelWindow = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan PanelStep = TimeSpan.FromSeconds(10);

    /// <summary>Long enough for a rule to go pending after the first scrapes, on a loaded machine.</summary>
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_scrapes_the_gateway_the_target_is_up_and_gauges_keep_their_contract_labels()
    {
        var prometheus = fixture.Prometheus;
        IReadOnlyList<PrometheusTarget> targets = [];
        await Eventually.Async(async () => (targets = await prometheus.TargetsAsync()) is [{ Health: "up" }], "the gateway target to be up", PendingTimeout);

        var target = Assert.Single(targets);
        Assert.Equal("cloudsentinel", target.Job);
        Assert.Equal(fixture.GatewayTarget, target.Instance);
        Assert.Equal($"http://{fixture.GatewayTarget}/api/cloudsentinel/prometheus", target.ScrapeUrl);
        Assert.Equal("", target.LastError);

        var up = Assert.Single(await prometheus.QueryAsync("up{job=\"cloudsentinel\"}"));
        Assert.Equal(1.0, SampleValue(up));

        var z = Assert.Single(await prometheus.QueryAsync($"cloudsentinel_cost_anomaly_zscore{{tenant=\"{Tenant}\", service_name=\"{PrometheusEndToEndFixture.SpikeService}\"}}"));
        Assert.Equal(10.0, SampleValue(z));
        var labels = z.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["__name__"] = "cloudsentinel_cost_anomaly_zscore",
            ["instance"] = fixture.GatewayTarget,
            ["job"] = "cloudsentinel",
            ["service_name"] = PrometheusEndToEndFixture.SpikeService,
            ["tenant"] = Tenant,
        }, labels);

        var alerts = await prometheus.AlertsAsync();
        Assert.DoesNotContain(alerts, a => a.Name is "CloudSentinelGatewayDown" or "CostDataStale");
    }

    [Fact]
    public async Task Every_PromQl_panel_of_every_dashboard_returns_series_for_the_seeded_tenant()
    {
        var remaining = GrafanaDashboards.PromQlTargets.Where(t => t.Target["hide"]?.GetValue<bool>() != true).ToList();
        Assert.NotEmpty(remaining);

        // "Prometheus alerts for this tenant" shows firing alerts only; the first to fire is
        // CostAnomalyDetected, whose `for: 2m` runs from the first evaluation after the first scrape.
        var deadline = fixture.PrometheusStarted + TimeSpan.FromMinutes(2) + PendingTimeout;
        var answers = new Dictionary<PanelTarget, string>();
        while (true)
        {
            foreach (var target in remaining.ToArray())
            {
                var (expr, series) = await RunAsync(target);
                answers[target] = $"{target.Name}\n    {expr}\n    -> {series} series";
                if (series > 0) remaining.Remove(target);
            }

            if (remaining.Count == 0) return;
            Assert.True(DateTimeOffset.UtcNow < deadline,
                "These dashboard panels returned no series from Prometheus:\n" + string.Join("\n", remaining.Select(t => answers[t])) +
                "\nAlerts now: " + string.Join("; ", await fixture.Prometheus.AlertsAsync()));
            await Task.Delay(PrometheusEndToEndFixture.ScrapeInterval);
        }
    }

    [Fact]
    public async Task Seeded_spike_makes_ServiceCostSpike_and_CostAnomalyDetected_pending_or_firing_for_that_service_only()
    {
        var alerts = await WaitForAlertsAsync(("ServiceCostSpike", PrometheusEndToEndFixture.SpikeService), ("CostAnomalyDetected", PrometheusEndToEndFixture.SpikeService));

        // 5.00 USD/hour now against the backfilled 2.00 USD/hour of the six hours before.
        Assert.Equal(2.5, Single(alerts, "ServiceCostSpike", PrometheusEndToEndFixture.SpikeService).Value, 9);
        // The alert's value is the flagged hour's impact: 5.00 against the expected 2.00 USD.
        Assert.Equal(3.0, Single(alerts, "CostAnomalyDetected", PrometheusEndToEndFixture.SpikeService).Value, 9);

        // The flat over-budget service has a z-score of 0 and stays quiet.
        Assert.Equal([PrometheusEndToEndFixture.SpikeService], Services(alerts, "ServiceCostSpike"));
        Assert.Equal([PrometheusEndToEndFixture.SpikeService], Services(alerts, "CostAnomalyDetected"));
    }

    [Fact]
    public async Task Over_budget_service_makes_BudgetThresholdExceeded_and_ForecastExceedsBudget_pending_or_firing_for_that_service_only()
    {
        const string service = PrometheusEndToEndFixture.OverBudgetService;
        var alerts = await WaitForAlertsAsync(("BudgetThresholdExceeded", service), ("ForecastExceedsBudget", service));

        var percent = (double)(100m * fixture.OverBudgetMonthToDate() / PrometheusEndToEndFixture.OverBudgetUsd);
        Assert.Equal(percent, Single(alerts, "BudgetThresholdExceeded", service).Value, 6);
        var forecast = Metric.Value(await fixture.Stack.ScrapeAsync(), "cloudsentinel_cost_forecast_month_usd", new() { ["tenant"] = Tenant, ["service_name"] = service });
        Assert.Equal(forecast!.Value, Single(alerts, "ForecastExceedsBudget", service).Value, 6);

        // The spiking service and the tenant total ("*") are far below their budgets.
        Assert.Equal([service], Services(alerts, "BudgetThresholdExceeded"));
        Assert.Equal([service], Services(alerts, "ForecastExceedsBudget"));
    }

    [Fact]
    public async Task Untagged_cost_above_100_USD_an_hour_makes_UntaggedResourceCost_pending()
    {
        var alerts = await WaitForAlertsAsync(("UntaggedResourceCost", null));

        var alert = Assert.Single(alerts, a => a.Name == "UntaggedResourceCost");
        Assert.Equal(Tenant, alert.Label("tenant"));
        Assert.Equal(PrometheusEndToEndFixture.UntaggedHourlyUsd, alert.Value, 9);
        Assert.Equal("warning", alert.Label("severity"));
    }

    /// <summary>
    /// Substitutes the dashboard variables as Grafana does: Prometheus' own ($__rate_interval,
    /// $__range) here, the rest with the dashboard tests' expander, which fails on anything unknown.
    /// Instant targets run as instant queries, the others as range queries over the live window.
    /// </summary>
    private async Task<(string Expr, int Series)> RunAsync(PanelTarget target)
    {
        var to = DateTimeOffset.UtcNow;
        var from = to - PanelWindow;
        var scrape = PrometheusEndToEndFixture.ScrapeInterval;
        var rateInterval = TimeSpan.FromTicks(Math.Max((PanelStep + scrape).Ticks, 4 * scrape.Ticks));
        var expr = ((string?)target.Target["expr"] ?? "")
            .Replace("${__rate_interval}", Duration(rateInterval)).Replace("$__rate_interval", Duration(rateInterval))
            .Replace("$__range_ms", ((long)PanelWindow.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
            .Replace("$__range_s", ((long)PanelWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture))
            .Replace("${__range}", Duration(PanelWindow)).Replace("$__range", Duration(PanelWindow));
        expr = GrafanaMacroExpander.Expand(expr, new GrafanaQueryContext(from, to,
            new Dictionary<string, string> { ["tenant"] = Tenant, ["service"] = PrometheusEndToEndFixture.SpikeService },
            Interval: Duration(PanelStep)));

        var instant = target.Target["instant"]?.GetValue<bool>() == true;
        var range = target.Target["range"]?.GetValue<bool>() ?? !instant;
        var series = int.MaxValue;
        if (instant) series = Math.Min(series, (await fixture.Prometheus.QueryAsync(expr)).Count);
        if (range) series = Math.Min(series, (await fixture.Prometheus.QueryRangeAsync(expr, from, to, PanelStep)).Count);
        return (expr, series);
    }

    private static string Duration(TimeSpan span) => $"{(long)span.TotalSeconds}s";

    /// <summary>Polls /api/v1/alerts until every (alert, service) is pending or firing for the tenant; a null service matches any.</summary>
    private async Task<IReadOnlyList<PrometheusAlert>> WaitForAlertsAsync(params (string Alert, string? Service)[] expected)
    {
        var deadline = DateTimeOffset.UtcNow + PendingTimeout;
        while (true)
        {
            var alerts = (await fixture.Prometheus.AlertsAsync()).Where(a => a.Label("tenant") == Tenant).ToArray();
            var missing = expected.Where(e => !alerts.Any(a =>
                a.Name == e.Alert && (e.Service is null || a.Label("service_name") == e.Service) && a.State is "pending" or "firing")).ToArray();
            if (missing.Length == 0) return alerts;
            Assert.True(DateTimeOffset.UtcNow < deadline,
                $"Not pending or firing: {string.Join(", ", missing.Select(m => $"{m.Alert} {m.Service}"))}. Alerts now: {string.Join("; ", alerts)}\n" +
                $"Prometheus log:\n{fixture.Prometheus.Log}");
            await Task.Delay(PrometheusEndToEndFixture.ScrapeInterval);
        }
    }

    private static PrometheusAlert Single(IEnumerable<PrometheusAlert> alerts, string name, string service) =>
        Assert.Single(alerts, a => a.Name == name && a.Label("service_name") == service);

    private static string[] Services(IEnumerable<PrometheusAlert> alerts, string name) =>
        alerts.Where(a => a.Name == name).Select(a => a.Label("service_name")).Order(StringComparer.Ordinal).ToArray();

    private static double SampleValue(JsonElement sample) =>
        double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
}
