using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>Structural checks of the dashboard JSON and the data source provisioning.</summary>
public sealed partial class DashboardCheckerTests
{
    private static readonly string[] ExpectedDashboards =
    [
        "cloudsentinel-anomalies", "cloudsentinel-budgets-forecasts", "cloudsentinel-cxo-overview",
        "cloudsentinel-service-deep-dive", "cloudsentinel-shared-infrastructure",
    ];

    public static TheoryData<string> DashboardFiles() => new(GrafanaDashboards.Files.Select(Path.GetFileName)!);

    private static Dashboard Load(string file) => GrafanaDashboards.All.Single(d => d.File == file);

    [Fact]
    public void The_five_dashboards_are_provisioned_with_fixed_unique_uids()
    {
        var uids = GrafanaDashboards.All.Select(d => d.Uid).ToArray();

        Assert.Equal(ExpectedDashboards, uids.Order(StringComparer.Ordinal));
        Assert.All(uids, uid => Assert.Matches(UidPattern(), uid));
        Assert.Equal(uids.Length, GrafanaDashboards.All.Select(d => d.Title).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Dashboard_is_valid_json_with_title_schema_version_and_laid_out_panels(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("grafana", "dashboards", file)));
        var dashboard = Load(file);

        Assert.False(string.IsNullOrWhiteSpace(dashboard.Title));
        Assert.True(dashboard.Json["schemaVersion"]?.GetValue<int>() >= 36, "schemaVersion missing or too old");
        Assert.NotEmpty(dashboard.Panels);
        Assert.Equal(dashboard.Panels.Count(), dashboard.Panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in dashboard.Panels)
        {
            var title = (string?)panel["title"];
            Assert.False(string.IsNullOrWhiteSpace(title), $"{file}: a panel has no title");
            var grid = panel["gridPos"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"{file}/{title}: no gridPos");
            int Get(string key) => grid[key]?.GetValue<int>() ?? throw new Xunit.Sdk.XunitException($"{file}/{title}: gridPos.{key} missing");
            Assert.True(Get("w") is > 0 and <= 24 && Get("h") > 0 && Get("x") >= 0 && Get("y") >= 0 && Get("x") + Get("w") <= 24,
                $"{file}/{title}: gridPos out of the 24-column grid");
        }
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Every_datasource_reference_resolves_to_a_provisioned_uid_and_type(string file)
    {
        var provisioned = GrafanaDashboards.Datasources.ToDictionary(d => d.Uid, d => d.Type);
        var references = new List<JsonObject>();
        CollectDatasourceReferences(Load(file).Json, references);

        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            var uid = (string?)reference["uid"] ?? "";
            Assert.True(provisioned.ContainsKey(uid), $"{file}: datasource uid '{uid}' is not provisioned");
            Assert.Equal(provisioned[uid], (string?)reference["type"]);
        }
    }

    private const string TenantQuery = """
        WITH RECURSIVE t AS (
          (SELECT tenant_id FROM service_costs ORDER BY tenant_id LIMIT 1)
          UNION ALL
          SELECT (SELECT s.tenant_id FROM service_costs s WHERE s.tenant_id > t.tenant_id ORDER BY s.tenant_id LIMIT 1)
          FROM t WHERE t.tenant_id IS NOT NULL
        )
        SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL
        """;

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Dashboard_has_the_tenant_variable_from_service_costs(string file)
    {
        var tenant = Load(file).Variables.SingleOrDefault(v => (string?)v["name"] == "tenant");

        Assert.NotNull(tenant);
        // Every dashboard lists tenants with the same query, an index skip scan over service_costs
        // (a DISTINCT would read every bucket; see BENCHMARKS.md).
        Assert.Equal(TenantQuery, (string?)tenant["query"]);
        Assert.Equal(GrafanaDashboards.CostsUid, (string?)tenant["datasource"]?["uid"]);
    }

    [Fact]
    public void Every_target_has_a_ref_id_unique_within_its_panel()
    {
        foreach (var group in GrafanaDashboards.All.SelectMany(d => d.Targets).GroupBy(t => (t.Dashboard.Uid, t.PanelTitle)))
        {
            Assert.All(group, t => Assert.False(string.IsNullOrEmpty(t.RefId), $"{t.Name}: no refId"));
            Assert.Equal(group.Count(), group.Select(t => t.RefId).Distinct().Count());
        }
    }

    [Fact]
    public void Sql_targets_are_raw_code_queries_with_a_format_a_tenant_filter_and_grafana_time_macros()
    {
        Assert.NotEmpty(GrafanaDashboards.SqlTargets);
        foreach (var target in GrafanaDashboards.SqlTargets)
        {
            var sql = (string?)target.Target["rawSql"] ?? "";
            Assert.True(target.Target["rawQuery"]?.GetValue<bool>() == true, $"{target}: rawQuery must be true");
            Assert.Equal("code", (string?)target.Target["editorMode"]);
            Assert.Contains((string?)target.Target["format"], new[] { "table", "time_series" });
            // A filter on the tenant, or the tenant argument of service_costs_by_service (migration V013).
            Assert.Matches(TenantFilter(), sql);
            Assert.Matches(TimeMacro(), sql);
            if ((string?)target.Target["format"] == "time_series")
            {
                Assert.Matches(TimeColumn(), sql);
            }
        }
    }

    [Fact]
    public void PromQl_targets_filter_on_the_tenant_and_use_only_contract_metrics()
    {
        Assert.NotEmpty(GrafanaDashboards.PromQlTargets);
        foreach (var target in GrafanaDashboards.PromQlTargets)
        {
            var expr = (string?)target.Target["expr"] ?? "";
            Assert.Contains("tenant=\"$tenant\"", expr);
            foreach (Match metric in MetricName().Matches(expr))
            {
                Assert.Contains(metric.Value, ContractMetrics.Names);
            }
        }
    }

    [Fact]
    public void Costs_datasource_is_postgres_as_grafana_reader_with_password_and_sslmode_from_the_environment()
    {
        var costs = GrafanaDashboards.Datasources.Single(d => d.Uid == GrafanaDashboards.CostsUid);
        var json = (YamlDotNet.RepresentationModel.YamlMappingNode)costs.Yaml["jsonData"];
        var secure = (YamlDotNet.RepresentationModel.YamlMappingNode)costs.Yaml["secureJsonData"];

        Assert.Equal("CloudSentinel-Costs", costs.Name);
        Assert.Equal("grafana-postgresql-datasource", costs.Type);
        Assert.Equal("grafana_reader", Yaml.Scalar(costs.Yaml, "user"));
        Assert.Equal("${GRAFANA_DB_PASSWORD}", Yaml.Scalar(secure, "password"));
        Assert.Equal("${GRAFANA_DB_SSLMODE}", Yaml.Scalar(json, "sslmode"));
        Assert.Equal("1500", Yaml.Scalar(json, "postgresVersion"));
        Assert.Equal("false", Yaml.Scalar(json, "timescaledb"));
        Assert.Contains("GRAFANA_DB_SSLMODE: ${GRAFANA_DB_SSLMODE:-require}", File.ReadAllText(RepoPaths.Combine("docker-compose.yml")));
    }

    [Fact]
    public void Prometheus_datasource_time_interval_equals_the_scrape_interval()
    {
        var prometheus = GrafanaDashboards.Datasources.Single(d => d.Uid == GrafanaDashboards.PrometheusUid);
        var config = Yaml.Load(RepoPaths.Combine("prometheus", "prometheus.yml"));

        Assert.Equal("CloudSentinel-Prometheus", prometheus.Name);
        Assert.Equal(Yaml.Scalar((YamlDotNet.RepresentationModel.YamlMappingNode)config["global"], "scrape_interval"),
            Yaml.Scalar((YamlDotNet.RepresentationModel.YamlMappingNode)prometheus.Yaml["jsonData"], "timeInterval"));
    }

    [Fact]
    public void Dashboard_provider_loads_the_directory_that_compose_mounts()
    {
        var provider = Yaml.Load(RepoPaths.Combine("grafana", "provisioning", "dashboards", "cloudsentinel.yml"));
        var path = Yaml.Scalar((YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlSequenceNode)provider["providers"]).Children[0])["options"], "path");

        Assert.Contains($"./grafana/dashboards:{path}:ro", File.ReadAllText(RepoPaths.Combine("docker-compose.yml")));
    }

    private static void CollectDatasourceReferences(JsonNode? node, List<JsonObject> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "datasource" && value is JsonObject reference)
                    {
                        found.Add(reference);
                    }
                    else
                    {
                        CollectDatasourceReferences(value, found);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    CollectDatasourceReferences(item, found);
                }

                break;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex UidPattern();

    [GeneratedRegex(@"tenant_id =>? '\$tenant'")]
    private static partial Regex TenantFilter();

    [GeneratedRegex(@"\$__time(Filter|From|To)\(")]
    private static partial Regex TimeMacro();

    [GeneratedRegex(@"(\$__timeGroupAlias\(|AS time\b|AS ""time"")")]
    private static partial Regex TimeColumn();

    [GeneratedRegex(@"\bcloudsentinel_[a-z_]+")]
    private static partial Regex MetricName();
}

/// <summary>The gateway's metric names from ARCHITECTURE.md, "Prometheus metrics", and the operational ones that rules watch.</summary>
public static class ContractMetrics
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>
    {
        "cloudsentinel_cost_per_service_usd", "cloudsentinel_cpu_cost_usd", "cloudsentinel_memory_cost_usd",
        "cloudsentinel_storage_cost_usd", "cloudsentinel_network_cost_usd", "cloudsentinel_cost_current_hour_usd",
        "cloudsentinel_cost_month_to_date_usd", "cloudsentinel_service_budget_usd", "cloudsentinel_cost_forecast_month_usd",
        "cloudsentinel_cost_expected_usd", "cloudsentinel_cost_anomaly_zscore", "cloudsentinel_shared_cost_allocated_usd",
        "cloudsentinel_data_latest_hour_timestamp_seconds", "cloudsentinel_ingest_records_total",
        // Operations: the apply lag, backlog and their bounds (docs/durability.md, "Backpressure").
        "cloudsentinel_ingest_apply_lag_seconds", "cloudsentinel_ingest_apply_lag_bound_seconds",
        "cloudsentinel_ingest_backlog_messages", "cloudsentinel_ingest_backlog_cap_messages",
    };

    /// <summary>Gauges added for the shipped alerts (issue 19, README "Metrics"): the flagged hour's impact and the tenant's paging floor.</summary>
    public static readonly IReadOnlySet<string> Alerting = new HashSet<string>
    {
        "cloudsentinel_cost_anomaly_impact_usd", "cloudsentinel_anomaly_impact_floor_usd",
    };
}
