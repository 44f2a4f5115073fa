using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudSentinel.Cli;
using CloudSentinel.Connectors;
using CloudSentinel.Gateway.Export;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Tests.Infrastructure;
using Npgsql;

namespace CloudSentinel.Tests.Focus;

/// <summary>
/// FOCUS 1.3 in and out through the real gateway, silo and PostgreSQL: the export and its round trip
/// into a fresh tenant, split rows counted once, history of any age at default settings, and charges
/// far below a micro-dollar.
/// </summary>
public sealed class Focus13Tests : IAsyncLifetime
{
    private static readonly DateTime CurrentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
    private static readonly DateTime H = CurrentHour.AddHours(-4);
    private static readonly DateTime Day = CurrentHour.Date.AddDays(-3);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Cost(string tenant, string service, string provider, string type, DateTime start, DateTime end, string cost, string extra = "") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"{{provider}}","cost_type":"{{type}}","account_id":"111","period_start":"{{Ts(start)}}","period_end":"{{Ts(end)}}","cost_usd":{{cost}}{{extra}}}""";

    private static string Pod(string tenant, string cluster, DateTime hour, string ns, string pod, string service, decimal cpu, decimal memory) =>
        $$"""{"tenant":"{{tenant}}","cluster_name":"{{cluster}}","namespace":"{{ns}}","pod_name":"{{pod}}","labels":{"app":"{{service}}"},"period_start":"{{Ts(hour)}}","cpu_request_core_hours":{{cpu}},"memory_request_gb_hours":{{memory}}}""";

    private async Task PostAndSettleAsync(string path, string body)
    {
        var response = await _stack.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
    }

    private async Task<HttpResponseMessage> PostFocusAsync(string tenant, byte[] file, HttpClient? http = null) =>
        await (http ?? _stack.Http).PostAsync($"{FocusEndpoints.Path}?tenant={tenant}", new ByteArrayContent(file));

    /// <summary>Service × cost type × breakdown (storage type, direction) × hour totals of a tenant, as text lines, zero sums left out.</summary>
    private async Task<List<string>> TotalsAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(_stack.Database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT service_name, cost_type || CASE WHEN breakdown = '' THEN '' ELSE '/' || breakdown END, "timestamp", sum(cost_usd) FROM service_costs
            WHERE tenant_id = $1 GROUP BY 1, 2, 3 HAVING sum(cost_usd) <> 0 ORDER BY 1, 2, 3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetDateTime(2):yyyy-MM-dd'T'HH} {reader.GetDecimal(3).ToString("0.############################", CultureInfo.InvariantCulture)}");
        }

        return lines;
    }

    private async Task<string> TokenAsync(string tenant, params string[] roles)
    {
        var response = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static string ExportPath(string tenant, string format = "csv") =>
        $"{FocusExportEndpoints.Path}?tenant={tenant}&from={Ts(Day)}&to={Ts(CurrentHour.AddHours(1))}&format={format}";

    /// <summary>
    /// acme: own costs on three clouds (a 10-decimal amount, a daily storage charge, a credit) and the
    /// cluster prod-1 with two services' pods, whose node cost is shared (worked example 1 of docs/allocation.md).
    /// </summary>
    private async Task LoadAcmeAsync()
    {
        await PostAndSettleAsync("/api/cloudsentinel/ingest", "[" + string.Join(",",
            Cost("acme", "checkout", "aws", "compute", H, H.AddHours(1), "12.5"),
            Cost("acme", "checkout", "aws", "storage", Day, Day.AddDays(1), "24", ""","storage_type":"ssd" """),
            Cost("acme", "search", "gcp", "database", H, H.AddHours(1), "1.2345678901"),
            Cost("acme", "search", "azure", "network", H.AddHours(1), H.AddHours(2), "-0.75", ""","direction":"egress" """),
            Cost("acme", "platform", "aws", "compute", H, H.AddHours(1), "1.50", ""","cpu_cost_usd":0.90,"memory_cost_usd":0.60,"tags":{"cluster":"prod-1"}"""),
            Cost("acme", "platform", "aws", "other", H, H.AddHours(1), "0.30", ""","tags":{"cluster":"prod-1"}""")) + "]");
        await PostAndSettleAsync("/api/cloudsentinel/ingest/usage", "[" + string.Join(",",
            Pod("acme", "prod-1", H, "api", "api-a", "api", 1.5m, 1m),
            Pod("acme", "prod-1", H, "web", "web-a", "web", 0.5m, 2m),
            Pod("acme", "prod-1", H, "web", "web-b", "web", 0.5m, 2m)) + "]");
    }

    [Fact]
    public async Task Export_round_trip_into_a_fresh_tenant_reproduces_service_cost_type_hour_totals()
    {
        await LoadAcmeAsync();
        var acme = await TotalsAsync("acme");
        // CPU pool 0.90 + 0.15 by requests 1.5 : 1, memory pool 0.60 + 0.15 by 1 : 4.
        Assert.Contains($"api compute {H:yyyy-MM-dd'T'HH} 0.78", acme);
        Assert.Contains($"web compute {H:yyyy-MM-dd'T'HH} 1.02", acme);
        Assert.Contains($"checkout storage/ssd {Day:yyyy-MM-dd'T'HH} 1", acme);
        Assert.Contains($"search network/egress {H.AddHours(1):yyyy-MM-dd'T'HH} -0.75", acme);

        var read = _stack.HttpWith(await TokenAsync("acme", "read"));
        var response = await read.GetAsync(ExportPath("acme"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var csv = await response.Content.ReadAsByteArrayAsync();

        var origins = await FocusOrigins.FromServiceCostsAsync(_stack, "acme");
        var report = await FocusModelCheck.CheckAsync(new MemoryStream(csv), origins);
        Assert.True(report.Failures.Count == 0, report.Summary());
        var text = Encoding.UTF8.GetString(csv);
        Assert.StartsWith("BilledCost,BillingAccountId,", text);
        Assert.Contains(",prod-1,prod-1,Kubernetes cluster,", text);
        Assert.Contains("prod-1/web/web-b", text);
        var asRead = await new FocusImporter().ImportAsync(new MemoryStream(csv), "acme");
        Assert.Equal(await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme'"), asRead.Records.Sum(r => r.CostUsd));

        var imported = await PostFocusAsync("copy", csv);
        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        await _stack.WaitForSettledAsync();
        Assert.Equal(acme, await TotalsAsync("copy"));

        // The same through the CLI, as Parquet: export with the read token, import with the admin token.
        var path = Path.Combine(Path.GetTempPath(), $"focus-{Guid.NewGuid():N}.parquet");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["export", "focus", "--tenant", "acme", "--from", Ts(Day), "--to", Ts(CurrentHour.AddHours(1)), "--format", "parquet",
                "--out", path, "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", read.DefaultRequestHeaders.Authorization!.Parameter!], stdout, stderr);
            Assert.True(exit == ExitCodes.Ok, stderr.ToString());
            Assert.Contains($"wrote {path}", stdout.ToString());
            await using (var file = File.OpenRead(path))
            {
                var parquet = await FocusModelCheck.CheckAsync(file, origins);
                Assert.True(parquet.Failures.Count == 0, parquet.Summary());
            }

            // The sidecar: the export's FOCUS 1.3 metadata, which says the hours up to now are not complete yet.
            Assert.Contains($"wrote {path}.metadata.json (FOCUS 1.3 metadata; the last hours may still change)", stdout.ToString());
            using (var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(path + ".metadata.json")))
            {
                Assert.Equal("1.3", metadata.RootElement.GetProperty("Schemas")[0].GetProperty("FocusVersion").GetString());
                Assert.False(metadata.RootElement.GetProperty("Recency")[0].GetProperty("DatasetInstanceComplete").GetBoolean());
            }


            exit = await CliApp.RunAsync(["backfill", "--tenant", "copy2", "--focus", path, "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken],
                stdout, stderr);
            Assert.True(exit == ExitCodes.Ok, stderr.ToString());
            await _stack.WaitForSettledAsync();
            Assert.Equal(acme, await TotalsAsync("copy2"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".metadata.json");
        }
    }

    [Fact]
    public async Task Export_needs_the_read_role_of_that_tenant()
    {
        await LoadAcmeAsync();
        var ingestOnly = _stack.HttpWith(await TokenAsync("acme", "ingest"));
        var otherTenant = _stack.HttpWith(await TokenAsync("globex", "read", "ingest"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await _stack.HttpWith(null).GetAsync(ExportPath("acme"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ingestOnly.GetAsync(ExportPath("acme"))).StatusCode);
        var refused = await otherTenant.GetAsync(ExportPath("acme"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("not 'acme'", await refused.Content.ReadAsStringAsync());

        var own = await (await otherTenant.GetAsync(ExportPath("globex"))).Content.ReadAsStringAsync();
        Assert.Single(own.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        var bad = await _stack.Http.GetAsync($"{FocusExportEndpoints.Path}?tenant=acme&from=yesterday&to={Ts(H)}&format=xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("format 'xlsx' is not csv or parquet", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_focus_13_file_with_split_rows_counts_the_split_never_the_split_plus_the_origin()
    {
        const string header = "ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BillingAccountId,SubAccountId,ServiceProviderName,HostProviderName,ServiceCategory,ServiceName,"
            + "ChargeCategory,EffectiveCost,BilledCost,ResourceId,Tags,AllocatedMethodId,AllocatedMethodDetails,AllocatedResourceId,AllocatedResourceName,AllocatedTags,ContractApplied";
        string Row(string cost, string resource, string tags, string allocated = ",,,,", string provider = "Amazon Web Services,Amazon Web Services", string contract = "") =>
            $"{Ts(H)},{Ts(H.AddHours(1))},USD,BA-1,111,{provider},Compute,Amazon EKS,Usage,{cost},{cost},{resource},{tags},{allocated},{contract}";
        string Part(string owner, string cost) => Row(cost, "eks-1", "\"{\"\"team\"\":\"\"platform\"\"}\"",
            $"eks-split,\"{{\"\"Ratio\"\":1}}\",pod/{owner},{owner},\"{{\"\"application\"\":\"\"{owner}\"\"}}\"");
        var file = string.Join("\r\n", header,
            Part("api", "6.000000000001"),
            Row("10.000000000001", "eks-1", "\"{\"\"team\"\":\"\"platform\"\"}\""),
            Part("web", "4"),
            Row("0.40", "", "\"{\"\"application\"\":\"\"web\"\"}\"", provider: "Datadog,AWS", contract: "\"{\"\"Elements\"\":[]}\"")) + "\r\n";

        var response = await PostFocusAsync("acme", Encoding.UTF8.GetBytes(file));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using (var json = JsonDocument.Parse(body))
        {
            var root = json.RootElement;
            Assert.Equal("1.3", root.GetProperty("focusVersion").GetString());
            Assert.Equal((4L, 3L, 0L, 1L), (root.GetProperty("rowsRead").GetInt64(), root.GetProperty("rowsLoaded").GetInt64(),
                root.GetProperty("rowsRejected").GetInt64(), root.GetProperty("rowsSuperseded").GetInt64()));
            Assert.Equal(10.400000000001m, root.GetProperty("costUsdByProvider").GetProperty("aws").GetDecimal());
        }

        await _stack.WaitForSettledAsync();
        Assert.Equal([$"api compute {H:yyyy-MM-dd'T'HH} 6.000000000001", $"web compute {H:yyyy-MM-dd'T'HH} 4.4"], await TotalsAsync("acme"));
    }

    [Fact]
    public async Task A_focus_10_export_from_september_2024_loads_at_default_settings()
    {
        var response = await PostFocusAsync("finops", Encoding.UTF8.GetBytes(September2024.Csv()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using (var json = JsonDocument.Parse(body))
        {
            var root = json.RootElement;
            Assert.Equal(("1.0-1.2", September2024.Rows, September2024.Rows, 0L, 0), (root.GetProperty("focusVersion").GetString(), root.GetProperty("rowsRead").GetInt64(),
                root.GetProperty("rowsLoaded").GetInt64(), root.GetProperty("rowsRejected").GetInt64(), root.GetProperty("recordsRejected").GetInt32()));
        }

        await _stack.WaitForSettledAsync();
        foreach (var (service, total) in September2024.TotalsByService)
        {
            Assert.Equal(total, await _stack.QueryScalarAsync<decimal>($"SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'finops' AND service_name = '{service}'"));
        }

        Assert.Equal(new DateTime(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc), await _stack.QueryScalarAsync<DateTime>("SELECT min(\"timestamp\") FROM service_costs WHERE tenant_id = 'finops'"));
    }

    [Fact]
    public async Task A_file_of_which_nothing_applies_answers_422_and_the_cli_says_what_was_refused_and_why()
    {
        var tooOld = September2024.Csv().Replace("2024-09-", "2020-09-");
        var response = await PostFocusAsync("finops", Encoding.UTF8.GetBytes(tooOld));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using (var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Contains("nothing from the file could be loaded", json.RootElement.GetProperty("detail").GetString());
            Assert.Contains("older than 1130 days", json.RootElement.GetProperty("detail").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("records").GetInt32());
        }

        var path = Path.Combine(Path.GetTempPath(), $"focus-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, tooOld);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["backfill", "--tenant", "finops", "--focus", path, "--gateway", _stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken], stdout, stderr);
            Assert.Equal(ExitCodes.Refused, exit);
            Assert.Contains($"rows: {September2024.Rows} read, {September2024.Rows} usable, 0 refused; summed records: 0 loaded, 6 refused", stdout.ToString());
            Assert.Contains("older than 1130 days", stdout.ToString());
            Assert.Contains("422", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'finops'"));
    }

    [Fact]
    public async Task A_daily_charge_far_below_a_micro_dollar_sums_exactly_per_service_and_day()
    {
        var pods = Enumerable.Range(0, 24).SelectMany(h => new[]
        {
            Pod("tiny", "c1", Day.AddHours(h), "a", "api-1", "api", 1m, 1m),
            Pod("tiny", "c1", Day.AddHours(h), "b", "web-1", "web", 3m, 1m),
        });
        await PostAndSettleAsync("/api/cloudsentinel/ingest/usage", "[" + string.Join(",", pods) + "]");
        await PostAndSettleAsync("/api/cloudsentinel/ingest", "[" + string.Join(",",
            Cost("tiny", "solo", "aws", "compute", Day, Day.AddDays(1), "0.00000037"),
            Cost("tiny", "platform", "aws", "compute", Day, Day.AddDays(1), "0.00000037", ""","tags":{"cluster":"c1"}""")) + "]");

        Task<decimal> DaySum(string service) => _stack.QueryScalarAsync<decimal>(
            $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = 'tiny' AND service_name = '{service}' AND \"timestamp\" >= '{Ts(Day)}' AND \"timestamp\" < '{Ts(Day.AddDays(1))}'");
        Assert.Equal(0.00000037m, await DaySum("solo"));
        Assert.Equal(24, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'tiny' AND service_name = 'solo' AND cost_usd > 0"));
        var (api, web) = (await DaySum("api"), await DaySum("web"));
        Assert.Equal(0.00000037m, api + web);
        Assert.True(api > 0 && web > api, $"api {api}, web {web}");
        Assert.Equal(0.00000037m, await _stack.QueryScalarAsync<decimal>(
            "SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation WHERE tenant_id = 'tiny'"));
    }
}
