using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;
using Npgsql;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// Tokens, roles and tenants through the real gateway and PostgreSQL: who may call what, for which
/// tenant, what a tenant sees of the metrics, and what its PostgreSQL role sees of every table.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private static readonly DateTime Hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-3);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?>
    {
        ["Auth:CacheFor"] = "00:00:01",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Record(string tenant, string service, decimal cost, string type = "compute", string extra = "", string tags = "") =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"{{type}}","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}{{extra}}{{tags}}}""";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<(string Id, string Token)> CreateTokenAsync(string tenant, params string[] roles)
    {
        var response = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("token").GetString()!);
    }

    private Task<decimal> Sum(string tenant) =>
        _stack.QueryScalarAsync<decimal>($"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{tenant}'");

    [Fact]
    public async Task Every_api_endpoint_needs_a_token_and_health_does_not()
    {
        using var anonymous = _stack.HttpWith(null);
        using var unknown = _stack.HttpWith("cst_0123456789abcdef_not-a-real-secret-at-all-0000000000000");

        foreach (var (method, path) in new[]
                 {
                     ("POST", "/api/cloudsentinel/ingest"), ("POST", "/api/cloudsentinel/ingest/usage"), ("POST", "/api/cloudsentinel/ingest/focus?tenant=acme"),
                     ("GET", "/api/cloudsentinel/prometheus"), ("GET", "/api/cloudsentinel/budgets/acme"), ("PUT", "/api/cloudsentinel/budgets/acme/api"),
                     ("GET", "/api/cloudsentinel/anomalies?tenant=acme"), ("GET", "/api/cloudsentinel/allocation?tenant=acme&cluster=c"),
                     ("GET", "/api/cloudsentinel/export/focus?tenant=acme&from=2026-11-01&to=2026-11-02"),
                     ("GET", "/api/cloudsentinel/sources"), ("GET", "/api/cloudsentinel/tokens"), ("POST", "/api/cloudsentinel/tokens"),
                 })
        {
            foreach (var client in new[] { anonymous, unknown })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : Json("[]") });
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
                Assert.Equal(client == anonymous ? "an API token is required: send 'Authorization: Bearer <token>'" : "the API token is unknown or revoked",
                    problem.RootElement.GetProperty("detail").GetString());
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        using var unknownPath = await anonymous.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);
        Assert.Equal("application/problem+json", unknownPath.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_tenant_token_works_for_its_tenant_and_role_only_and_a_mixed_batch_is_refused_whole()
    {
        var (_, ingest) = await CreateTokenAsync("isoa", "ingest");
        var (_, read) = await CreateTokenAsync("isoa", "read");
        using var ingestClient = _stack.HttpWith(ingest);
        using var readClient = _stack.HttpWith(read);

        Assert.Equal(HttpStatusCode.OK, (await ingestClient.PostAsync("/api/cloudsentinel/ingest", Json("[" + Record("isoa", "api", 2m) + "]"))).StatusCode);

        var mixed = await ingestClient.PostAsync("/api/cloudsentinel/ingest", Json("[" + Record("isoa", "api", 5m) + "," + Record("isob", "api", 9m) + "]"));
        Assert.Equal(HttpStatusCode.Forbidden, mixed.StatusCode);
        using (var refusal = JsonDocument.Parse(await mixed.Content.ReadAsStringAsync()))
        {
            Assert.Contains("record 1 is for tenant 'isob'", refusal.RootElement.GetProperty("detail").GetString());
            Assert.Equal(2, refusal.RootElement.GetProperty("records").GetInt32());
            Assert.Equal(1, refusal.RootElement.GetProperty("rejected").GetInt32());
            Assert.Equal("tenant", refusal.RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
        }


        Assert.Equal(HttpStatusCode.Forbidden, (await readClient.PostAsync("/api/cloudsentinel/ingest", Json("[" + Record("isoa", "api", 7m) + "]"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readClient.PutAsync("/api/cloudsentinel/budgets/isoa/api", Json("""{"amount_usd": 10}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ingestClient.PutAsync("/api/cloudsentinel/budgets/isob/api", Json("""{"amount_usd": 10}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ingestClient.PutAsync("/api/cloudsentinel/budgets/isoa/api", Json("""{"amount_usd": 10}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readClient.GetAsync("/api/cloudsentinel/budgets/isoa")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readClient.GetAsync("/api/cloudsentinel/budgets/isob")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readClient.GetAsync("/api/cloudsentinel/anomalies?tenant=isob")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ingestClient.PostAsync("/api/cloudsentinel/ingest/focus?tenant=isob", Json(""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readClient.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant = "isoa", roles = new[] { "read" } })).StatusCode);

        await _stack.WaitForSettledAsync();
        Assert.Equal(2m, await Sum("isoa"));
        Assert.Equal(0m, await Sum("isob"));
        Assert.Equal(0, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM ingest_log WHERE tenant_id = 'isob'"));
    }

    [Fact]
    public async Task A_tenant_token_sees_only_its_tenants_series_and_the_admin_sees_all()
    {
        var post = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Record("mta", "api", 3m) + "," + Record("mtb", "web", 4m) + "]");
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        await _stack.WaitForSettledAsync();
        var all = await Metric.WaitForAsync(_stack, "cloudsentinel_cost_per_service_usd",
            new() { ["tenant"] = "mtb", ["service_name"] = "web", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }, 4.0);
        Assert.Contains("tenant=\"mta\"", all);

        var (_, token) = await CreateTokenAsync("mta", "read");
        using var tenantClient = _stack.HttpWith(token);
        var own = await tenantClient.GetStringAsync("/api/cloudsentinel/prometheus");

        Assert.Equal(3.0, Metric.Value(own, "cloudsentinel_cost_per_service_usd", new() { ["tenant"] = "mta", ["service_name"] = "api", ["cost_type"] = "compute", ["cloud_provider"] = "aws" }));
        Assert.DoesNotContain("tenant=\"mtb\"", own);
        Assert.DoesNotContain("cloudsentinel_ingest_log_pending_messages", own);
        Assert.All(own.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')), line => Assert.Contains("tenant=\"mta\"", line));
    }

    [Fact]
    public async Task Tokens_are_listed_without_secrets_stored_hashed_and_a_revoked_one_is_refused_within_seconds()
    {
        var (id, token) = await CreateTokenAsync("revk", "ingest", "read");
        using var client = _stack.HttpWith(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/cloudsentinel/budgets/revk")).StatusCode);

        var list = await _stack.Http.GetStringAsync("/api/cloudsentinel/tokens?tenant=revk");
        Assert.Contains(id, list);
        Assert.DoesNotContain(token, list);
        Assert.Equal(0, await _stack.QueryScalarAsync<long>($"SELECT count(*) FROM api_tokens WHERE token_hash = convert_to('{token}', 'UTF8')"));

        Assert.Equal(HttpStatusCode.NoContent, (await _stack.Http.DeleteAsync($"/api/cloudsentinel/tokens/{id}")).StatusCode);
        await Eventually.Async(async () => (await client.GetAsync("/api/cloudsentinel/budgets/revk")).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked token to be refused", TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Http.DeleteAsync($"/api/cloudsentinel/tokens/{id}")).StatusCode);
        Assert.DoesNotContain(id, await _stack.Http.GetStringAsync("/api/cloudsentinel/tokens?tenant=revk"));
    }

    [Fact]
    public async Task A_tenant_role_reads_all_of_its_rows_and_none_of_another_tenants_in_every_table_grafana_reads()
    {
        string Cluster(string tenant) =>
            Record(tenant, "platform", 1.5m, tags: ""","cpu_cost_usd":0.9,"memory_cost_usd":0.6,"tags":{"cluster":"prod"}""");
        string Pod(string tenant) =>
            $$"""{"tenant":"{{tenant}}","cluster_name":"prod","namespace":"shop","pod_name":"api-1","service_name":"api","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cpu_request_core_hours":1,"memory_request_gb_hours":2}""";
        foreach (var tenant in new[] { "rlsa", "rlsb" })
        {
            var costs = "[" + string.Join(",", Record(tenant, "api", 2m), Record(tenant, "api", 1m, "network", ""","direction":"egress" """),
                Record(tenant, "api", 0.5m, "storage", ""","storage_type":"ssd","storage_gb":10"""), Cluster(tenant)) + "]";
            Assert.Equal(HttpStatusCode.OK, (await _stack.PostAsync("/api/cloudsentinel/ingest", costs)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _stack.PostAsync("/api/cloudsentinel/ingest/usage", "[" + Pod(tenant) + "]")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _stack.Http.PutAsync($"/api/cloudsentinel/budgets/{tenant}/api", Json("""{"amount_usd": 100}"""))).StatusCode);
        }

        await _stack.WaitForSettledAsync();
        await using var owner = new NpgsqlConnection(_stack.Database!.ConnectionString);
        await owner.OpenAsync();
        // Verdicts and forecasts come from the grains on their own schedule; rows for both tenants are enough here.
        await using (var seed = new NpgsqlCommand("""
            INSERT INTO cost_anomalies (tenant_id, "timestamp", service_name, cost_usd, expected_cost, zscore) VALUES ('rlsa', now(), 'api', 9, 1, 5), ('rlsb', now(), 'api', 9, 1, 5) ON CONFLICT DO NOTHING;
            INSERT INTO cost_forecasts (tenant_id, service_name, month, forecast_usd, lower_usd, upper_usd) VALUES ('rlsa', 'api', date_trunc('month', now()), 1, 1, 1), ('rlsb', 'api', date_trunc('month', now()), 1, 1, 1)
            ON CONFLICT DO NOTHING;
            INSERT INTO cluster_nodes (tenant_id, instance_id, cluster_name, last_seen) VALUES ('rlsa', 'i-0a', 'prod', now()), ('rlsb', 'i-0b', 'prod', now()) ON CONFLICT DO NOTHING
            """, owner))
        {
            await seed.ExecuteNonQueryAsync();
        }

        string[] tables = ["service_costs", "network_costs", "storage_costs", "pod_costs", "shared_infrastructure_allocation", "cost_anomalies", "budgets", "cost_forecasts", "service_costs_tenant_hourly", "service_costs_service_daily", "cluster_nodes"];
        foreach (var table in tables)
        {
            var ownA = await CountAsync(owner, null, $"SELECT count(*) FROM {table} WHERE tenant_id = 'rlsa'");
            Assert.True(ownA > 0, $"{table} has no rows of rlsa to test with");
            Assert.True(await CountAsync(owner, null, $"SELECT count(*) FROM {table} WHERE tenant_id = 'rlsb'") > 0, $"{table} has no rows of rlsb");

            Assert.Equal(ownA, await CountAsync(owner, "cloudsentinel_tenant_rlsa", $"SELECT count(*) FROM {table}"));
            Assert.Equal(0, await CountAsync(owner, "cloudsentinel_tenant_rlsa", $"SELECT count(*) FROM {table} WHERE tenant_id = 'rlsb'"));
            Assert.Equal(0, await CountAsync(owner, "cloudsentinel_tenant_rlsb", $"SELECT count(*) FROM {table} WHERE tenant_id = 'rlsa'"));
            Assert.Equal(await CountAsync(owner, null, $"SELECT count(*) FROM {table}"), await CountAsync(owner, "grafana_reader", $"SELECT count(*) FROM {table}"));
        }
    }

    [Fact]
    public async Task The_grafana_login_of_a_tenant_organization_sees_only_that_tenants_rows()
    {
        foreach (var tenant in new[] { "gfa", "gfb" })
        {
            Assert.Equal(HttpStatusCode.OK, (await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + Record(tenant, "api", 2m) + "]")).StatusCode);
        }

        await _stack.WaitForSettledAsync();
        var database = new NpgsqlConnectionStringBuilder(_stack.Database!.ConnectionString);
        var script = RepoPaths.Combine("deploy", "grafana-tenant", "create-tenant-login.sql");
        var psql = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("psql",
            [$"postgresql://{database.Username}@{database.Host}:{database.Port}/{database.Database}", "-v", "ON_ERROR_STOP=1", "-v", "tenant=gfa", "-v", "password='not-used-with-trust'", "-f", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var errors = await psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        Assert.True(psql.ExitCode == 0, errors);

        var login = new NpgsqlConnectionStringBuilder(_stack.Database!.ConnectionString) { Username = "grafana_gfa", Pooling = false };
        await using var grafana = new NpgsqlConnection(login.ConnectionString);
        await grafana.OpenAsync();
        Assert.Equal(0, await CountAsync(grafana, null, "SELECT count(*) FROM service_costs WHERE tenant_id = 'gfb'"));
        Assert.Equal(1, await CountAsync(grafana, null, "SELECT count(*) FROM service_costs WHERE tenant_id = 'gfa'"));
        Assert.Equal(["gfa"], await TenantsAsync(grafana));
        Assert.Contains("user: ${TENANT_DB_USER}", await File.ReadAllTextAsync(RepoPaths.Combine("deploy", "grafana-tenant", "datasource.yml")));
    }

    /// <summary>What a dashboard's tenant variable would list for this login.</summary>
    private static async Task<List<string>> TenantsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT DISTINCT tenant_id FROM service_costs ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tenants = new List<string>();
        while (await reader.ReadAsync()) tenants.Add(reader.GetString(0));
        return tenants;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string? role, string sql)
    {
        await using (var set = new NpgsqlCommand(role is null ? "RESET ROLE" : $"SET ROLE \"{role}\"", connection)) await set.ExecuteNonQueryAsync();
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        finally
        {
            await using var reset = new NpgsqlCommand("RESET ROLE", connection);
            await reset.ExecuteNonQueryAsync();
        }
    }
}
