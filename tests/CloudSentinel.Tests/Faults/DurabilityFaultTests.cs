using System.Net;
using System.Text;
using Npgsql;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// The durability promise with real processes and real PostgreSQL: every request answered 200 is in
/// service_costs exactly once, whatever is killed or restarted around it. Each test runs silos and a
/// gateway as separate processes (built hosts), so a kill is a real SIGKILL.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class DurabilityFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_mid_stream_of_three_loses_nothing_acknowledged_and_counts_nothing_twice()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 3);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 40, perRequest: 150);

        var refusals = 0;
        for (var request = 0; request < data.Requests; request++)
        {
            refusals += (await data.SendUntilAcknowledgedAsync(cluster.Http, request)).Count;
            // Kill while the silos are still draining what was acknowledged before.
            if (request == 15) cluster.KillSilo(2);
        }

        await WaitForDrainedLogAsync(database.ConnectionString, cluster);
        output.WriteLine($"{data.Records} records in {data.Requests} requests, {refusals} answers other than 200 (re-sent)");
        Assert.False(cluster.IsSiloRunning(2));
        Assert.Equal(data.ExpectedTotal, await ScalarAsync<decimal>(database.ConnectionString, $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.Records, await ScalarAsync<long>(database.ConnectionString, $"SELECT count(*) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
    }

    [Fact]
    public async Task Every_process_killed_right_after_a_200_and_restarted_keeps_what_was_acknowledged()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 2);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 12, perRequest: 400);

        for (var request = 0; request < data.Requests; request++) await data.SendUntilAcknowledgedAsync(cluster.Http, request);
        cluster.KillAll();
        var waiting = await ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM ingest_log");
        output.WriteLine($"{waiting} acknowledged messages were still waiting in the ingest log at the kill");

        cluster.StartSilo(1);
        cluster.StartSilo(2);
        cluster.StartGateway();
        await cluster.WaitReadyAsync();
        await WaitForDrainedLogAsync(database.ConnectionString, cluster);
        Assert.Equal(data.ExpectedTotal, await ScalarAsync<decimal>(database.ConnectionString, $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.Records, await ScalarAsync<long>(database.ConnectionString, $"SELECT count(*) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
    }

    [Fact]
    public async Task A_postgres_restart_during_ingest_gives_clean_503s_and_then_everything_acknowledged_lands()
    {
        await using var server = await OwnPostgresServer.StartAsync();
        await using var cluster = new ProcessCluster(server.ConnectionString, silos: 1);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 30, perRequest: 100);

        var answers = new List<string>();
        var sender = Task.Run(async () =>
        {
            for (var request = 0; request < data.Requests; request++)
            {
                answers.AddRange(await data.SendUntilAcknowledgedAsync(cluster.Http, request, TimeSpan.FromMinutes(3)));
                await Task.Delay(100);
            }
        });

        await Task.Delay(1_000);
        await server.StopAsync();
        await Task.Delay(8_000);
        await server.StartAgainAsync();
        await sender;

        await WaitForDrainedLogAsync(server.ConnectionString, cluster);
        output.WriteLine($"answers other than 200 while PostgreSQL was down: {answers.Count}; first: {answers.FirstOrDefault()}");
        Assert.Contains(answers, a => a.StartsWith("503 retry-after=5:", StringComparison.Ordinal));
        Assert.All(answers, a => Assert.True(a.StartsWith("503 ", StringComparison.Ordinal), $"expected only 503s, got: {a}"));
        Assert.Equal(data.ExpectedTotal, await ScalarAsync<decimal>(server.ConnectionString, $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.Records, await ScalarAsync<long>(server.ConnectionString, $"SELECT count(*) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
    }

    [Fact]
    public async Task The_gateway_killed_between_commit_and_reply_then_a_resend_counts_nothing_twice()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 3);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 4, perRequest: 250);
        var count = $"SELECT count(*) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'";

        for (var request = 0; request < data.Requests; request++)
        {
            // The request commits in the gateway; the kill lands once its buckets are in service_costs,
            // before this client reads any reply, so for the client the answer is lost and it re-sends.
            var send = cluster.Http.PostAsync("/api/cloudsentinel/ingest", new StringContent(data.Body(request), Encoding.UTF8, "application/x-ndjson"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await ScalarAsync<long>(database.ConnectionString, count) < (request + 1) * 250L)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"request {request} never committed\n{cluster.Tail("gateway")}");
                await Task.Delay(2);
            }

            cluster.KillGateway();
            try
            {
                (await send).Dispose();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The usual case: the connection died with the gateway.
            }

            cluster.StartGateway();
            await cluster.WaitReadyAsync();
            await data.SendUntilAcknowledgedAsync(cluster.Http, request);
        }

        await WaitForDrainedLogAsync(database.ConnectionString, cluster);
        Assert.Equal(data.ExpectedTotal, await ScalarAsync<decimal>(database.ConnectionString, $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.Records, await ScalarAsync<long>(database.ConnectionString, count));
        // Each bucket was merged twice (the lost request and its resend) and holds the resend's sequence, once.
        Assert.Equal(data.Requests, await ScalarAsync<long>(database.ConnectionString, $"SELECT count(DISTINCT ingest_seq) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.ExpectedTotal, await ScalarAsync<decimal>(database.ConnectionString,
            $"SELECT sum(cost_usd) FROM service_costs_tenant_hourly WHERE tenant_id = '{KnownCosts.Tenant}'"));

        // The grains heard of both and hold each bucket once: their month-to-date gauges, per service and the
        // tenant's total (service_name="*"), each add up to the money sent this month.
        var monthStart = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var expectedMonth = data.ExpectedBuckets().Where(b => b.Key.Hour >= monthStart).Sum(b => b.Value);
        var patience = DateTime.UtcNow.AddSeconds(60);
        var seen = await MonthToDateAsync(cluster.Http);
        while (seen != (expectedMonth, expectedMonth) && DateTime.UtcNow < patience)
        {
            await Task.Delay(250);
            seen = await MonthToDateAsync(cluster.Http);
        }

        Assert.Equal((expectedMonth, expectedMonth), seen);
    }

    /// <summary>cloudsentinel_cost_month_to_date_usd of the known tenant from a scrape of the gateway: summed over its services, and its total.</summary>
    private static async Task<(decimal Services, decimal Tenant)> MonthToDateAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync("/api/cloudsentinel/prometheus")).Split('\n')
            .Where(l => l.StartsWith("cloudsentinel_cost_month_to_date_usd{", StringComparison.Ordinal) && l.Contains($"tenant=\"{KnownCosts.Tenant}\"", StringComparison.Ordinal))
            .Select(l => (Total: l.Contains("service_name=\"*\"", StringComparison.Ordinal),
                          Value: decimal.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        return (lines.Where(l => !l.Total).Sum(l => l.Value), lines.Where(l => l.Total).Sum(l => l.Value));
    }

    internal static async Task WaitForDrainedLogAsync(string connectionString, ProcessCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (await ScalarAsync<long>(connectionString, "SELECT count(*) FROM ingest_log") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the ingest log did not drain\n{cluster.Tail("silo-1")}");
            await Task.Delay(250);
        }
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // The server may be coming back from a restart.
                NpgsqlConnection.ClearAllPools();
                await Task.Delay(500);
            }
        }
    }
}

/// <summary>Fault tests run one at a time: each starts several processes, and a 2-core machine should not time them out.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}
