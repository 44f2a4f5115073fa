using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Export;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Gateway.Synthetic;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Focus;

/// <summary>
/// The FOCUS 1.3 requirements model (tests/FocusRequirementsModel) against real exports, CSV and Parquet,
/// through the gateway, silo and PostgreSQL: the demo feed's data, a cluster with shared costs and pods, a
/// tenant with credits and negative amounts, and a month boundary with restated hours. Each export is
/// then imported into a fresh tenant, which must end with the same service × cost type × hour totals.
/// </summary>
public sealed class FocusConformanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime CurrentHour = UtcHours.HourStart(DateTime.UtcNow);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?> { ["FocusIngest:Default:UsdRates:EUR"] = "1.08" });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Ts(DateTime t) => FocusExportRows.Time(t);

    private static string Cost(string tenant, string service, string provider, string type, DateTime hour, decimal cost, string extra = "") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"{{provider}}","cost_type":"{{type}}","account_id":"111","period_start":"{{Ts(hour)}}","period_end":"{{Ts(hour.AddHours(1))}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}{{extra}}}""";

    private static string Pod(string tenant, string cluster, DateTime hour, string ns, string pod, string service, decimal cpu, decimal memory, decimal cpuUsed = 0) =>
        $$"""{"tenant":"{{tenant}}","cluster_name":"{{cluster}}","namespace":"{{ns}}","pod_name":"{{pod}}","labels":{"app":"{{service}}"},"period_start":"{{Ts(hour)}}","cpu_request_core_hours":{{cpu}},"memory_request_gb_hours":{{memory}},"cpu_usage_core_hours":{{cpuUsed}}}""";

    private async Task PostAndSettleAsync(string path, params string[] records)
    {
        var response = await _stack.PostAsync(path, "[" + string.Join(",", records) + "]");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
    }

    /// <summary>Service × cost type/breakdown × hour totals, services CloudSentinel reserves (which an import refuses) left out.</summary>
    private async Task<List<string>> TotalsAsync(string tenant) =>
        (await _stack.QueryRowsAsync($"""
            SELECT service_name, cost_type || CASE WHEN breakdown = '' THEN '' ELSE '/' || breakdown END, "timestamp", sum(cost_usd)::text FROM service_costs
            WHERE tenant_id = '{tenant}' AND service_name NOT LIKE '\_\_%' GROUP BY 1, 2, 3 HAVING sum(cost_usd) <> 0 ORDER BY 1, 2, 3
            """)).Select(r => $"{r[0]} {r[1]} {(DateTime)r[2]:yyyy-MM-dd'T'HH} {decimal.Parse((string)r[3], CultureInfo.InvariantCulture):0.############################}").ToList();

    /// <summary>Exports [from, to) as CSV and as Parquet, checks both against the model, and imports the CSV into a fresh tenant.</summary>
    private async Task CheckExportsAsync(string tenant, DateTime from, DateTime to, int minimumRows)
    {
        var totals = await TotalsAsync(tenant);
        Assert.NotEmpty(totals);
        var origins = await FocusOrigins.FromServiceCostsAsync(_stack, tenant);
        byte[]? csv = null;
        foreach (var format in new[] { "csv", "parquet" })
        {
            var response = await _stack.Http.GetAsync($"{FocusExportEndpoints.Path}?tenant={tenant}&from={Ts(from)}&to={Ts(to)}&format={format}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"{FocusExportEndpoints.MetadataPath}?tenant={tenant}", response.Headers.GetValues("Link").Single());
            var file = await response.Content.ReadAsByteArrayAsync();
            var report = await FocusModelCheck.CheckAsync(new MemoryStream(file), origins);
            output.WriteLine($"{tenant} ({format}): {report.Summary()}");
            Assert.True(report.Failures.Count == 0, report.Summary());
            Assert.True(report.Data.Rows.Count >= minimumRows, report.Summary());
            if (format == "csv") csv = file;
        }

        var copy = tenant + "-copy";
        var imported = await _stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant={copy}", new ByteArrayContent(csv!));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
        Assert.Equal(totals, await TotalsAsync(copy));
    }

    [Fact]
    public async Task The_demo_feed_exports_what_the_model_accepts()
    {
        var options = new SyntheticOptions { Tenants = ["demo"], ServicesPerTenant = 6 };
        var costs = new SyntheticCostGenerator(options);
        var clusters = new SyntheticClusters(options);
        var ingestor = _stack.Gateway.Services.GetRequiredService<CostIngestor>();
        var usage = _stack.Gateway.Services.GetRequiredService<UsageIngestor>();
        var first = CurrentHour.AddHours(-3);
        for (var hour = first; hour < CurrentHour; hour = hour.AddHours(1))
        {
            Assert.True((await ingestor.IngestAsync([.. costs.Hour(hour), .. clusters.Costs(hour)], "synthetic", CancellationToken.None)).IsAccepted);
            await usage.IngestAsync([.. clusters.Usage(hour)], CancellationToken.None);
        }

        await _stack.WaitForSettledAsync();
        Assert.True(await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'demo' AND source LIKE 'shared:%'") > 0);
        await CheckExportsAsync("demo", first, CurrentHour, minimumRows: 100);
    }

    [Fact]
    public async Task A_cluster_with_shared_costs_and_pods_exports_split_rows_the_model_accepts()
    {
        var h = CurrentHour.AddHours(-5);
        await PostAndSettleAsync("/api/cloudsentinel/ingest",
            Cost("kube", "checkout", "aws", "compute", h, 12.5m),
            Cost("kube", "platform", "aws", "compute", h, 1.50m, ""","cpu_cost_usd":0.90,"memory_cost_usd":0.60,"tags":{"cluster":"prod-1"}"""),
            Cost("kube", "platform", "aws", "storage", h, 0.30m, ""","storage_type":"gp3","tags":{"cluster":"prod-1"}"""),
            Cost("kube", "platform", "aws", "compute", h.AddHours(1), 1.20m, ""","cpu_cost_usd":0.70,"memory_cost_usd":0.50,"tags":{"cluster":"prod-1"}"""));
        await PostAndSettleAsync("/api/cloudsentinel/ingest/usage",
            Pod("kube", "prod-1", h, "api", "api-a", "api", 1.5m, 1m, 0.8m),
            Pod("kube", "prod-1", h, "web", "web-a", "web", 0.5m, 2m, 0.9m),
            Pod("kube", "prod-1", h, "web", "web-b", "web", 0.5m, 2m),
            Pod("kube", "prod-1", h.AddHours(1), "api", "api-a", "api", 1m, 1m));

        await CheckExportsAsync("kube", h, h.AddHours(2), minimumRows: 5);

        var csv = await _stack.Http.GetStringAsync($"{FocusExportEndpoints.Path}?tenant=kube&from={Ts(h)}&to={Ts(h.AddHours(1))}");
        Assert.Contains("prod-1/web/web-b", csv);
        // web-a is counted at its usage (0.9 > 0.5 requested), web-b at its request.
        Assert.Contains(",0.9,vCPU-Hours,", csv);
        Assert.Contains(",0.5,vCPU-Hours,", csv);
    }

    [Fact]
    public async Task Credits_and_negative_amounts_export_as_credits_the_model_accepts()
    {
        var h = CurrentHour.AddHours(-6);
        await PostAndSettleAsync("/api/cloudsentinel/ingest",
            Cost("refunds", "checkout", "aws", "compute", h, 10m),
            Cost("refunds", "checkout", "aws", "compute", h.AddHours(1), -2.5m),
            Cost("refunds", "search", "gcp", "database", h, -0.000001m),
            Cost("refunds", "search", "azure", "network", h, -0.75m, ""","direction":"egress" """),
            Cost("refunds", "ledger", "aws", "other", h, 0m),
            Cost("refunds", "platform", "aws", "compute", h, 2m, ""","cpu_cost_usd":1.2,"memory_cost_usd":0.8,"tags":{"cluster":"prod-2"}"""),
            Cost("refunds", "platform", "aws", "compute", h.AddHours(1), -1m, ""","cpu_cost_usd":-0.6,"memory_cost_usd":-0.4,"tags":{"cluster":"prod-2"}"""));
        await PostAndSettleAsync("/api/cloudsentinel/ingest/usage",
            Pod("refunds", "prod-2", h, "api", "api-a", "api", 1m, 1m),
            Pod("refunds", "prod-2", h, "web", "web-a", "web", 3m, 1m),
            Pod("refunds", "prod-2", h.AddHours(1), "api", "api-a", "api", 1m, 1m));

        await CheckExportsAsync("refunds", h, h.AddHours(2), minimumRows: 5);

        var csv = await _stack.Http.GetStringAsync($"{FocusExportEndpoints.Path}?tenant=refunds&from={Ts(h)}&to={Ts(h.AddHours(2))}");
        var credits = csv.Split("\r\n").Count(line => line.Contains(",Credit,", StringComparison.Ordinal));
        Assert.True(credits >= 4, csv);
    }

    [Fact]
    public async Task A_month_boundary_with_restated_hours_exports_what_the_model_accepts()
    {
        var month = new DateTime(CurrentHour.Year, CurrentHour.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-1);
        var hours = Enumerable.Range(-2, 4).Select(i => month.AddHours(i)).ToList();
        await PostAndSettleAsync("/api/cloudsentinel/ingest", [.. hours.Select(hour => Cost("restated", "checkout", "aws", "compute", hour, 4m))]);
        // The provider restates the hours around the boundary: later values replace earlier ones.
        await PostAndSettleAsync("/api/cloudsentinel/ingest",
            Cost("restated", "checkout", "aws", "compute", hours[1], 3.25m),
            Cost("restated", "checkout", "aws", "compute", hours[2], -0.5m));
        Assert.Contains($"checkout compute {hours[1]:yyyy-MM-dd'T'HH} 3.25", await TotalsAsync("restated"));

        await CheckExportsAsync("restated", hours[0], hours[^1].AddHours(1), minimumRows: 4);

        var csv = await _stack.Http.GetStringAsync($"{FocusExportEndpoints.Path}?tenant=restated&from={Ts(hours[0])}&to={Ts(hours[^1].AddHours(1))}");
        Assert.Contains($",{Ts(month.AddMonths(-1))},{Ts(month)},", csv);
        Assert.Contains($",{Ts(month)},{Ts(month.AddMonths(1))},", csv);
    }

    [Fact]
    public async Task What_a_source_said_about_a_bucket_is_exported_and_survives_the_round_trip()
    {
        var h = CurrentHour.AddHours(-7);
        await PostAndSettleAsync("/api/cloudsentinel/ingest",
            Cost("described", "checkout", "aws", "compute", h, 2.5m, ""","provider_service":"Amazon EC2","region":"us-east-1","sub_account_name":"shop-prod" """),
            Cost("described", "checkout", "aws", "compute", h, 0.5m, ""","provider_service":"Amazon EC2","region":"us-east-1" """),
            Cost("described", "search", "gcp", "database", h, 1m, ""","provider_service":"Cloud SQL","region":"europe-west1" """),
            Cost("described", "search", "gcp", "database", h, 1m, ""","provider_service":"Cloud Spanner","region":"europe-west1" """),
            Cost("described", "ledger", "azure", "other", h, 1m));

        await CheckExportsAsync("described", h, h.AddHours(1), minimumRows: 3);

        var data = await FocusDataset.ReadAsync(new MemoryStream(await _stack.Http.GetByteArrayAsync($"{FocusExportEndpoints.Path}?tenant=described&from={Ts(h)}&to={Ts(h.AddHours(1))}")));
        string? Value(string service, string column) =>
            data.Value(data.Rows.Single(r => data.Value(r, "Tags")!.Contains($"\"{service}\"", StringComparison.Ordinal)), column);
        // Lines of one bucket that disagree (the sub account name, the search service's two products) describe it only where they agree.
        Assert.Equal(("Amazon EC2", "us-east-1", "us-east-1", "111"), (Value("checkout", "ServiceName"), Value("checkout", "RegionId"), Value("checkout", "RegionName"), Value("checkout", "SubAccountName")));
        Assert.Equal(("Databases", "europe-west1"), (Value("search", "ServiceName"), Value("search", "RegionId")));
        Assert.Equal(("Other", null), (Value("ledger", "ServiceName"), Value("ledger", "RegionId")));

        Assert.Equal(
            await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_cost_details WHERE tenant_id = 'described' AND region IS NOT NULL"),
            await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_cost_details WHERE tenant_id = 'described-copy' AND region IS NOT NULL"));
        Assert.Equal("Amazon EC2", await _stack.QueryScalarAsync<string>(
            "SELECT provider_service FROM service_cost_details WHERE tenant_id = 'described-copy' AND service_name = 'checkout'"));
    }

    [Fact]
    public async Task A_charge_billed_in_euros_is_exported_in_usd_with_the_billed_amount_beside_it()
    {
        var h = CurrentHour.AddHours(-8);
        var file = "ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BillingAccountId,SubAccountId,SubAccountName,ServiceProviderName,HostProviderName,ServiceCategory,ServiceName,"
            + "RegionId,ChargeCategory,EffectiveCost,BilledCost,Tags\r\n"
            + $"{Ts(h)},{Ts(h.AddHours(1))},EUR,BA-1,sub-9,Shop EU,Microsoft,Microsoft,Compute,Virtual Machines,westeurope,Usage,10.00,10.00,\"{{\"\"application\"\":\"\"checkout\"\"}}\"\r\n"
            + $"{Ts(h)},{Ts(h.AddHours(1))},EUR,BA-1,sub-9,Shop EU,Microsoft,Microsoft,Compute,Virtual Machines,westeurope,Usage,2.50,2.50,\"{{\"\"application\"\":\"\"checkout\"\"}}\"\r\n";
        var imported = await _stack.Http.PostAsync($"{FocusEndpoints.Path}?tenant=euros", new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(file)));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();

        await CheckExportsAsync("euros", h, h.AddHours(1), minimumRows: 1);

        var data = await FocusDataset.ReadAsync(new MemoryStream(await _stack.Http.GetByteArrayAsync($"{FocusExportEndpoints.Path}?tenant=euros&from={Ts(h)}&to={Ts(h.AddHours(1))}")));
        var row = Assert.Single(data.Rows);
        decimal Number(string column) => decimal.Parse(data.Value(row, column)!, CultureInfo.InvariantCulture);
        Assert.Equal(("USD", 13.5m, "EUR", 12.5m), (data.Value(row, "BillingCurrency"), Number("BilledCost"), data.Value(row, "x_CloudSentinelBilledCurrency"), Number("x_CloudSentinelBilledAmount")));
        Assert.Equal(("Virtual Machines", "westeurope", "Shop EU"), (data.Value(row, "ServiceName"), data.Value(row, "RegionId"), data.Value(row, "SubAccountName")));
    }

    [Fact]
    public async Task The_metadata_says_which_hours_are_complete_and_which_features_are_unsupported()
    {
        await PostAndSettleAsync("/api/cloudsentinel/ingest", Cost("meta", "checkout", "aws", "compute", CurrentHour.AddHours(-1), 1m));

        async Task<JsonElement> MetadataAsync(DateTime from, DateTime to)
        {
            var response = await _stack.Http.GetAsync($"{FocusExportEndpoints.MetadataPath}?tenant=meta&from={Ts(from)}&to={Ts(to)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        var recent = await MetadataAsync(CurrentHour.AddDays(-4), CurrentHour);
        Assert.Equal("CloudSentinel", recent.GetProperty("DataGenerator").GetProperty("DataGenerator").GetString());
        var schema = recent.GetProperty("Schemas")[0];
        Assert.Equal(("1.3", FocusExportMetadata.SchemaId), (schema.GetProperty("FocusVersion").GetString(), schema.GetProperty("SchemaId").GetString()));
        Assert.Equal(Focus13Schema.Columns.Select(c => c.Name), schema.GetProperty("ColumnDefinition").EnumerateArray().Select(c => c.GetProperty("ColumnName").GetString()));
        var tags = schema.GetProperty("ColumnDefinition").EnumerateArray().Single(c => c.GetProperty("ColumnName").GetString() == "Tags");
        Assert.Equal(FocusExportRows.TagPrefix, tags.GetProperty("ProviderTagPrefixes")[0].GetString());
        var recency = recent.GetProperty("Recency")[0];
        Assert.False(recency.GetProperty("DatasetInstanceComplete").GetBoolean());
        var sectors = recency.GetProperty("TimeSectors").EnumerateArray().ToList();
        Assert.True(sectors[0].GetProperty("TimeSectorComplete").GetBoolean());
        Assert.False(sectors[^1].GetProperty("TimeSectorComplete").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, recency.GetProperty("RecencyLastUpdated").ValueKind);
        var features = recent.GetProperty("x_CloudSentinelExport").GetProperty("SupportedFeatures");
        Assert.False(features.GetProperty("COMMITMENT_DISCOUNT_SUPPORTED").GetBoolean());
        Assert.True(features.GetProperty("DATA_GENERATOR_SPLIT_COST_ALLOCATION_SUPPORTED").GetBoolean());

        var old = await MetadataAsync(CurrentHour.AddDays(-10), CurrentHour.AddDays(-5));
        Assert.True(old.GetProperty("Recency")[0].GetProperty("DatasetInstanceComplete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, old.GetProperty("Recency")[0].GetProperty("RecencyLastUpdated").ValueKind);
    }
}
