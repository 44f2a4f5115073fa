using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// Every outage gets a clear answer, never a 500: applying behind its bound or the log at its cap,
/// no silo reachable, PostgreSQL's disk full (PostgreSQL down is in <see cref="DurabilityFaultTests"/>).
/// Each is answered 503 with Retry-After and a reason, and a client that honours Retry-After loses nothing.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class OutageAnswerTests(ITestOutputHelper output)
{
    /// <summary>
    /// Makes the silos fall behind for real: every message appended from now on may not be claimed
    /// before <paramref name="seconds"/> have passed (the pump's own backoff column), as if the silos
    /// were that far behind. The backpressure reads the log as always.
    /// </summary>
    private static string DelayApplying(int seconds) => $"""
        CREATE FUNCTION test_delay_applying() RETURNS trigger LANGUAGE plpgsql AS
        $$BEGIN NEW.lease_until := clock_timestamp() + interval '{seconds} seconds'; RETURN NEW; END$$;
        CREATE TRIGGER test_delay_applying BEFORE INSERT ON ingest_log FOR EACH ROW EXECUTE FUNCTION test_delay_applying();
        """;

    private const string StopDelaying = "DROP TRIGGER test_delay_applying ON ingest_log; UPDATE ingest_log SET lease_until = '-infinity';";

    [Fact]
    public async Task Past_the_lag_bound_ingest_answers_503_with_retry_after_and_a_client_that_honours_it_loses_nothing()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 1, new Dictionary<string, string>
        {
            ["Backpressure__MaxApplyLagSeconds"] = "2",
            ["Backpressure__MaxRetryAfterSeconds"] = "4",
        });
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 12, perRequest: 100);
        await ExecuteAsync(database.ConnectionString, DelayApplying(5));

        // A steady client: a request every 0.4 s, each sent again after Retry-After until it is taken.
        var answers = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var request = 0; request < data.Requests; request++)
        {
            answers.AddRange(await data.SendUntilAcknowledgedAsync(cluster.Http, request, TimeSpan.FromMinutes(2)));
            await Task.Delay(400);
        }

        output.WriteLine($"{data.Requests} requests acknowledged in {clock.Elapsed.TotalSeconds:0.0} s; answers other than 200: {answers.Count}; first: {answers.FirstOrDefault()}");

        // Either lag reason: the oldest message is past the bound, or what waits would take longer than it to drain.
        Assert.Contains(answers, a => a.Contains(" s behind", StringComparison.Ordinal) && a.Contains("past the bound of 2 s (Backpressure:MaxApplyLagSeconds)", StringComparison.Ordinal));
        Assert.All(answers, a => Assert.Matches(@"^503 retry-after=[1-4]: ", a));
        await ExecuteAsync(database.ConnectionString, StopDelaying);
        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);
        await AssertExactAsync(database.ConnectionString, data);
        Assert.Contains("cloudsentinel_ingest_backpressure_refusals_total{cause=\"lag\"}", await cluster.Http.GetStringAsync("/api/cloudsentinel/prometheus"));
    }

    [Fact]
    public async Task A_log_at_its_cap_answers_503_with_the_cap_as_its_reason_until_it_drains()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 1, new Dictionary<string, string>
        {
            ["Backpressure__MaxBacklogMessages"] = "100",
            ["Backpressure__MaxApplyLagSeconds"] = "3600",
            ["Backpressure__MaxRetryAfterSeconds"] = "3",
        });
        await cluster.StartAsync();
        // 150 records of 150 services: one request is 150 messages, over the cap of 100 once it waits.
        var data = new KnownCosts(requests: 2, perRequest: 150, services: 150);
        await ExecuteAsync(database.ConnectionString, DelayApplying(3600));
        Assert.Empty(await data.SendUntilAcknowledgedAsync(cluster.Http, 0));
        await Task.Delay(1_500);

        using var refused = await cluster.Http.PostAsync("/api/cloudsentinel/ingest", new StringContent(data.Body(1), Encoding.UTF8, "application/x-ndjson"));
        var body = await refused.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)refused.StatusCode} Retry-After {refused.Headers.RetryAfter?.Delta}: {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("the ingest log is at its cap: 150 messages wait to be applied (cap 100, Backpressure:MaxBacklogMessages); nothing from this request was applied", body);
        Assert.Equal(150, await DurabilityFaultTests.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM ingest_log"));

        await ExecuteAsync(database.ConnectionString, StopDelaying);
        await data.SendUntilAcknowledgedAsync(cluster.Http, 1);
        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);
        await AssertExactAsync(database.ConnectionString, data);
    }

    [Fact]
    public async Task With_no_silo_reachable_ingest_answers_503_with_retry_after_and_lands_once_a_silo_is_back()
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 1);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 2, perRequest: 100);
        await data.SendUntilAcknowledgedAsync(cluster.Http, 0);
        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);

        cluster.KillSilo(1);
        var clock = Stopwatch.StartNew();
        using var refused = await cluster.Http.PostAsync("/api/cloudsentinel/ingest", new StringContent(data.Body(1), Encoding.UTF8, "application/x-ndjson"));
        var body = await refused.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)refused.StatusCode} after {clock.Elapsed.TotalSeconds:0.0} s, Retry-After {refused.Headers.RetryAfter?.Delta}: {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("nothing from the request was applied", body);
        using var budget = await cluster.Http.GetAsync("/api/cloudsentinel/budgets/fault");
        output.WriteLine($"budgets with no silo: {(int)budget.StatusCode} {await budget.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, budget.StatusCode);

        cluster.StartSilo(1);
        await data.SendUntilAcknowledgedAsync(cluster.Http, 1, TimeSpan.FromMinutes(2));
        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);
        await AssertExactAsync(database.ConnectionString, data);
    }

    /// <summary>
    /// A real full disk: the ingest log is moved to a tablespace on a 2 MiB tmpfs, which a filler table
    /// then fills, so PostgreSQL itself fails the append with SQLSTATE 53100. Needs root (mount), as
    /// ./test.sh runs here.
    /// </summary>
    [Fact]
    public async Task A_full_disk_answers_503_saying_so_and_ingest_resumes_once_space_is_freed()
    {
        // Disposed last, after the server that uses it has stopped.
        await using var disk = await TinyDisk.MountAsync("2m");
        await using var server = await OwnPostgresServer.StartAsync();
        await using var cluster = new ProcessCluster(server.ConnectionString, silos: 1);
        await cluster.StartAsync();
        var data = new KnownCosts(requests: 2, perRequest: 100);
        await data.SendUntilAcknowledgedAsync(cluster.Http, 0);
        await DurabilityFaultTests.WaitForDrainedLogAsync(server.ConnectionString, cluster);

        await ExecuteAsync(server.ConnectionString, $"CREATE TABLESPACE tiny LOCATION '{disk.Path}'");
        await ExecuteAsync(server.ConnectionString, "ALTER TABLE ingest_log SET TABLESPACE tiny; CREATE TABLE filler (pad text) TABLESPACE tiny");
        var filled = await FillAsync(server.ConnectionString);
        output.WriteLine($"filler: {filled}");

        using var refused = await cluster.Http.PostAsync("/api/cloudsentinel/ingest", new StringContent(data.Body(1), Encoding.UTF8, "application/x-ndjson"));
        var body = await refused.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)refused.StatusCode} Retry-After {refused.Headers.RetryAfter?.Delta}: {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("PostgreSQL is out of disk space (SQLSTATE 53100, disk_full:", body);

        await ExecuteAsync(server.ConnectionString, "DROP TABLE filler");
        await data.SendUntilAcknowledgedAsync(cluster.Http, 1);
        await DurabilityFaultTests.WaitForDrainedLogAsync(server.ConnectionString, cluster);
        await AssertExactAsync(server.ConnectionString, data);
        await ExecuteAsync(server.ConnectionString, "ALTER TABLE ingest_log SET TABLESPACE pg_default");
        await ExecuteAsync(server.ConnectionString, "DROP TABLESPACE tiny");
    }

    /// <summary>Inserts into the filler table until PostgreSQL refuses for want of space; returns what it said.</summary>
    private static async Task<string> FillAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var round = 0; round < 1_000; round++)
        {
            try
            {
                await using var command = new NpgsqlCommand("INSERT INTO filler SELECT repeat(md5(g::text), 60) FROM generate_series(1, 200) g", connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DiskFull)
            {
                return $"{ex.SqlState} after {round} rounds: {ex.MessageText}";
            }
        }

        throw new InvalidOperationException("the tiny tablespace never filled up");
    }

    private static async Task AssertExactAsync(string connectionString, KnownCosts data)
    {
        Assert.Equal(data.ExpectedTotal, await DurabilityFaultTests.ScalarAsync<decimal>(connectionString, $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
        Assert.Equal(data.Records, await DurabilityFaultTests.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
