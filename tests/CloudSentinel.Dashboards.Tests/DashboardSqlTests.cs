using System.Globalization;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>
/// Every SQL query of the dashboards and of the Grafana alert rule, expanded with the macro
/// expander and executed as grafana_reader against the migrated schema holding the seed.
/// </summary>
public sealed class DashboardSqlTests(CostDatabaseFixture database) : IClassFixture<CostDatabaseFixture>
{
    /// <summary>The columns each query must return, in order. A new panel must be added here.</summary>
    private static readonly Dictionary<string, string[]> ExpectedColumns = new()
    {
        ["cloudsentinel-anomalies/$tenant"] = ["tenant_id"],
        ["cloudsentinel-anomalies/$service"] = ["service_name"],
        ["cloudsentinel-anomalies/Anomalies (|z| > 3)"] = ["time", "service_name", "cost_usd", "expected_cost_usd", "excess_usd", "zscore", "direction", "reason"],
        ["cloudsentinel-anomalies/Anomalies per hour"] = ["time", "cost_above_expected", "cost_below_expected"],
        ["cloudsentinel-anomalies/Actual vs expected: $service"] = ["time", "actual_usd", "expected_at_anomaly_usd"],
        ["cloudsentinel-budgets-forecasts/$tenant"] = ["tenant_id"],
        ["cloudsentinel-budgets-forecasts/Month to date vs budget (tenant total)"] = ["time", "month_to_date_usd", "budget_usd"],
        ["cloudsentinel-budgets-forecasts/Forecast for the month (tenant)"] = ["forecast_usd", "lower_usd", "upper_usd", "budget_usd"],
        ["cloudsentinel-budgets-forecasts/Month to date and forecast by service"] = ["service_name", "month_to_date_usd", "forecast_usd", "lower_usd", "upper_usd", "budget_usd", "percent_of_budget_used"],
        ["cloudsentinel-budgets-forecasts/Services forecast to exceed their budget"] = ["service_name", "forecast_usd", "lower_usd", "upper_usd", "budget_usd", "overrun_usd"],
        ["cloudsentinel-budgets-forecasts/Forecast band by month"] = ["time", "forecast_usd", "lower_usd", "upper_usd"],
        ["cloudsentinel-cxo-overview/$tenant"] = ["tenant_id"],
        ["cloudsentinel-cxo-overview/Total cost (last 30 days)"] = ["total_cost_usd"],
        ["cloudsentinel-cxo-overview/Month to date vs budget"] = ["month_to_date_usd", "budget_usd", "percent_of_budget"],
        ["cloudsentinel-cxo-overview/Cost by type (24 h)"] = ["cost_type", "cost_usd"],
        ["cloudsentinel-cxo-overview/Cost by service"] = ["service_name", "cost_usd"],
        ["cloudsentinel-cxo-overview/Cost trend (7 days, hourly, by service)"] = ["time", "metric", "cost_usd"],
        ["cloudsentinel-cxo-overview/Top movers (last 24 h vs the 24 h before)"] = ["service_name", "last_24h_usd", "previous_24h_usd", "change_usd", "change_percent"],
        ["cloudsentinel-service-deep-dive/$tenant"] = ["tenant_id"],
        ["cloudsentinel-service-deep-dive/$service"] = ["service_name"],
        ["cloudsentinel-service-deep-dive/Hourly cost history by type"] = ["time", "metric", "cost_usd"],
        ["cloudsentinel-service-deep-dive/Storage history by type"] = ["time", "metric", "cost_usd"],
        ["cloudsentinel-service-deep-dive/Network history by direction"] = ["time", "metric", "cost_usd"],
        ["cloudsentinel-shared-infrastructure/$tenant"] = ["tenant_id"],
        ["cloudsentinel-shared-infrastructure/Kubernetes cluster cost by service"] = ["cluster_name", "service_name", "avg_cpu_percent", "avg_memory_percent", "allocated_cost_usd"],
        ["cloudsentinel-shared-infrastructure/Cluster totals"] = ["cluster_name", "services", "allocated_cost_usd"],
        ["cloudsentinel-shared-infrastructure/Shared storage split"] = ["service_name", "allocated_cost_usd"],
        ["cloudsentinel-shared-infrastructure/Load balancer split"] = ["service_name", "allocated_cost_usd"],
        ["cloudsentinel-shared-infrastructure/Allocated cost over time by service"] = ["time", "metric", "allocated_cost_usd"],
        ["cloudsentinel-shared-infrastructure/Pod cost by namespace"] = ["cluster_name", "namespace", "service_name", "pods", "cpu_cost_usd", "memory_cost_usd", "storage_cost_usd", "total_cost_usd"],
        ["alert/cloudsentinel-anomaly-recorded"] = ["tenant", "service_name", "abs_zscore"],
    };

    private static readonly HashSet<string> NumericTypes =
        ["numeric", "double precision", "real", "bigint", "integer", "smallint"];

    public static TheoryData<string> QueryNames() => new(DashboardQueries.All(CostSeed.Now).Select(q => q.Name));

    public static TheoryData<string> TimeSeriesQueryNames() =>
        new(DashboardQueries.All(CostSeed.Now).Where(q => q.Format == "time_series").Select(q => q.Name));

    private static GrafanaQueryContext Context(SqlQuery query, string tenant, bool timescale = false) =>
        new(query.From, query.To, new Dictionary<string, string> { ["tenant"] = tenant, ["service"] = "checkout" }, timescale);

    private Task<QueryResult> RunAsync(string name, string tenant = "acme", bool timescale = false)
    {
        var query = DashboardQueries.Named(name);
        return database.QueryAsGrafanaReaderAsync(GrafanaMacroExpander.Expand(query.Sql, Context(query, tenant, timescale)));
    }

    [Fact]
    public void Every_sql_query_declares_its_columns_and_every_declaration_has_a_query()
    {
        var names = DashboardQueries.All(CostSeed.Now).Select(q => q.Name).ToHashSet();
        Assert.Empty(names.Except(ExpectedColumns.Keys));
        Assert.Empty(ExpectedColumns.Keys.Except(names));
    }

    [Theory]
    [MemberData(nameof(QueryNames))]
    public async Task Query_runs_as_grafana_reader_and_returns_rows_with_its_columns(string name)
    {
        var result = name.StartsWith("alert/", StringComparison.Ordinal)
            ? await RunAlertRuleAtAnomalyTimeAsync(name)
            : await RunAsync(name);

        Assert.Equal(ExpectedColumns[name], result.Columns);
        Assert.NotEmpty(result.Rows);
        if (DashboardQueries.Named(name).Format == "time_series")
        {
            // Grafana turns every column except time and metric into a series: they must be numbers.
            for (var i = 0; i < result.Columns.Length; i++)
            {
                if (result.Columns[i] is not ("time" or "metric"))
                {
                    Assert.Contains(result.Types[i], NumericTypes);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(QueryNames))]
    public async Task Query_runs_for_a_tenant_that_has_cost_rows_only(string name)
    {
        var result = await RunAsync(name, tenant: "gamma");

        Assert.Equal(ExpectedColumns[name], result.Columns);
    }

    [Theory]
    [MemberData(nameof(TimeSeriesQueryNames))]
    public async Task Timescaledb_expansion_returns_the_same_hourly_buckets(string name)
    {
        var plain = await RunAsync(name);
        var timescale = await RunAsync(name, timescale: true);

        Assert.Equal(Normalize(plain), Normalize(timescale));
    }

    [Fact]
    public async Task Total_cost_panel_is_the_sum_of_the_tenants_buckets_of_the_last_30_days()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/Total cost (last 30 days)");

        var expected = database.Seed.ServiceCosts.Where(r => r.Tenant == "acme").Sum(r => r.CostUsd);
        Assert.Equal(expected, (decimal)result.Value(0, "total_cost_usd")!);
    }

    [Fact]
    public async Task Cost_by_type_panel_sums_the_last_24_hours_per_cost_type()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/Cost by type (24 h)");

        var from = CostSeed.Now.AddHours(-24);
        var expected = database.Seed.ServiceCosts
            .Where(r => r.Tenant == "acme" && r.Hour >= from)
            .GroupBy(r => r.CostType)
            .Select(g => (g.Key, g.Sum(r => r.CostUsd)))
            .OrderByDescending(x => x.Item2)
            .ToArray();
        Assert.Equal(expected, result.Rows.Select(r => ((string)r[0]!, (decimal)r[1]!)).ToArray());
    }

    [Fact]
    public async Task Cost_by_service_panel_sums_each_service_of_the_tenant_only()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/Cost by service");

        var expected = database.Seed.ServiceCosts
            .Where(r => r.Tenant == "acme")
            .GroupBy(r => r.Service)
            .Select(g => (g.Key, g.Sum(r => r.CostUsd)))
            .OrderByDescending(x => x.Item2)
            .ToArray();
        Assert.Equal(expected, result.Rows.Select(r => ((string)r[0]!, (decimal)r[1]!)).ToArray());
    }

    [Fact]
    public async Task Month_to_date_panel_counts_only_hours_since_the_first_of_the_month()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/Month to date vs budget");

        var monthToDate = database.Seed.ServiceCosts
            .Where(r => r.Tenant == "acme" && r.Hour >= CostSeed.MonthStart && r.Hour < CostSeed.Now)
            .Sum(r => r.CostUsd);
        Assert.Equal(monthToDate, (decimal)result.Value(0, "month_to_date_usd")!);
        Assert.Equal(60000m, (decimal)result.Value(0, "budget_usd")!);
        Assert.Equal(Math.Round(100 * monthToDate / 60000m, 1, MidpointRounding.AwayFromZero), (decimal)result.Value(0, "percent_of_budget")!);
    }

    [Fact]
    public async Task Cost_trend_has_one_hourly_bucket_per_service_and_hour_of_the_last_7_days()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/Cost trend (7 days, hourly, by service)");

        Assert.Equal(4 * CostSeed.Hours, result.Rows.Count);
        var checkoutAtSpike = result.Rows.Single(r =>
            (string)r[1]! == "checkout" && Convert.ToDouble(r[0], CultureInfo.InvariantCulture) == CostSeed.FirstHour.AddHours(60).ToUnixTimeSeconds());
        var expected = database.Seed.ServiceCosts
            .Where(r => r.Tenant == "acme" && r.Service == "checkout" && r.Hour == CostSeed.FirstHour.AddHours(60))
            .Sum(r => r.CostUsd);
        Assert.Equal(expected, (decimal)checkoutAtSpike[2]!);
    }

    [Fact]
    public async Task Tenant_variable_lists_every_tenant_in_order()
    {
        var result = await RunAsync("cloudsentinel-cxo-overview/$tenant");

        Assert.Equal(["acme", "beta", "gamma"], result.Rows.Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Service_variable_lists_only_the_selected_tenants_services()
    {
        var result = await RunAsync("cloudsentinel-service-deep-dive/$service", tenant: "beta");

        Assert.Equal(["api", "checkout"], result.Rows.Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Anomaly_table_shows_the_tenants_hours_beyond_three_sigma_newest_first()
    {
        var result = await RunAsync("cloudsentinel-anomalies/Anomalies (|z| > 3)");

        Assert.Equal(["search", "checkout"], result.Rows.Select(r => (string)r[1]!));
        Assert.Equal([-3.4m, 6.2m], result.Rows.Select(r => (decimal)r[5]!));
    }

    [Fact]
    public async Task Services_forecast_to_exceed_their_budget_lists_only_those_above_budget()
    {
        var result = await RunAsync("cloudsentinel-budgets-forecasts/Services forecast to exceed their budget");

        var row = Assert.Single(result.Rows);
        Assert.Equal("checkout", row[0]);
        Assert.Equal(20000m, (decimal)row[5]!);
    }

    [Fact]
    public async Task Grafana_anomaly_alert_query_returns_one_row_per_tenant_and_service_with_recent_anomalies()
    {
        var result = await RunAlertRuleAtAnomalyTimeAsync("alert/cloudsentinel-anomaly-recorded");

        Assert.Equal([("acme", "checkout", 6.2), ("beta", "api", 9.0)],
            result.Rows.Select(r => ((string)r[0]!, (string)r[1]!, (double)r[2]!)).OrderBy(r => r.Item1));
    }

    /// <summary>The alert rule looks back two hours; evaluate it at 01:30, after the seeded anomalies at 00:00 and 01:00.</summary>
    private Task<QueryResult> RunAlertRuleAtAnomalyTimeAsync(string name)
    {
        var now = new DateTimeOffset(2025, 3, 3, 1, 30, 0, TimeSpan.Zero);
        var query = DashboardQueries.All(now).Single(q => q.Name == name);
        return database.QueryAsGrafanaReaderAsync(GrafanaMacroExpander.Expand(query.Sql, Context(query, "acme")));
    }

    private static string[] Normalize(QueryResult result) =>
        result.Rows.Select(row => string.Join("|", row.Select((value, i) => result.Columns[i] == "time"
            ? value switch
            {
                DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                _ => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            }
            : Convert.ToString(value, CultureInfo.InvariantCulture)))).ToArray();
}
