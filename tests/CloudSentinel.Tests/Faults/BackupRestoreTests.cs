using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// The backup procedure of docs/durability.md ("Backup and restore"): pg_dump while a client sends,
/// restore into a fresh PostgreSQL server (roles first, then the database), start a new cluster on
/// it. It holds every amount acknowledged before the dump began, the budgets and tokens, and
/// applies what the dump caught waiting in the log; the client carries on against it, and in the
/// end its buckets and verdicts are those of the cluster that was never interrupted.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BackupRestoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_dump_taken_under_load_restores_into_a_fresh_server_with_every_amount_budget_and_token_and_ingest_carries_on()
    {
        var data = new SteadyCosts("restored");
        await using var source = await TestPostgres.CreateAsync("cs_fault");
        await using var first = new ProcessCluster(source.ConnectionString, silos: 2);
        await first.StartAsync();
        var token = await CreateTokenAsync(first.Http, data.Tenant);
        Assert.Equal(HttpStatusCode.OK, (await first.Http.PutAsJsonAsync($"/api/cloudsentinel/budgets/{data.Tenant}/svc-03", new { amount_usd = 1234.5m, currency = "USD" })).StatusCode);

        var acknowledged = 0;
        var sender = Task.Run(async () =>
        {
            for (var request = 0; request < data.Requests; request++)
            {
                await PatientClient.SendAsync(first.Http, data.Body(request), TimeSpan.FromMinutes(1));
                Interlocked.Exchange(ref acknowledged, request + 1);
                await Task.Delay(100);
            }
        });
        await Task.Delay(4_000);
        var beforeDump = Volatile.Read(ref acknowledged);
        var dump = Path.Combine(Path.GetTempPath(), $"cloudsentinel-{Guid.NewGuid():N}.dump");
        var roles = dump + ".roles.sql";
        var clock = Stopwatch.StartNew();
        await Bash($"pg_dumpall --roles-only {Libpq(source.ConnectionString, database: "")} > {roles} && pg_dump -Fc {Libpq(source.ConnectionString)} -f {dump}");
        output.WriteLine($"dump of {new FileInfo(dump).Length:N0} bytes in {clock.Elapsed.TotalSeconds:0.0} s, taken after request {beforeDump} of {data.Requests} was acknowledged");
        await sender;
        Assert.InRange(beforeDump, 1, data.Requests - 5);
        await DurabilityFaultTests.WaitForDrainedLogAsync(source.ConnectionString, first);
        var uninterrupted = await RollingRestartTests.SettledVerdictsAsync(source.ConnectionString, data.Tenant);

        await using var fresh = await OwnPostgresServer.StartAsync();
        await Bash($"psql -q {Libpq(fresh.ConnectionString, "postgres")} -f {roles} > /dev/null 2>&1; pg_restore --exit-on-error {Libpq(fresh.ConnectionString)} {dump}");
        await using var restored = new ProcessCluster(fresh.ConnectionString, silos: 2);
        await restored.StartAsync();
        await DurabilityFaultTests.WaitForDrainedLogAsync(fresh.ConnectionString, restored);

        // As of the dump: every amount acknowledged before it began, the budget, the tenant's token.
        var expected = new SteadyCosts(data.Tenant).ExpectedAfter(beforeDump);
        var held = await RollingRestartTests.BucketsAsync(fresh.ConnectionString, data.Tenant);
        Assert.All(expected, e => Assert.Equal(e.Value, held.GetValueOrDefault(e.Key)));
        using var tenantClient = new HttpClient { BaseAddress = restored.Http.BaseAddress };
        tenantClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var budget = await tenantClient.GetStringAsync($"/api/cloudsentinel/budgets/{data.Tenant}/svc-03");
        Assert.Contains("1234.5", budget);
        output.WriteLine($"restored: {held.Count} buckets ({expected.Count} acknowledged before the dump), budget {budget}");

        // Ingest carries on: the client sends again from the first request the dump may have missed.
        for (var request = beforeDump; request < data.Requests; request++) await PatientClient.SendAsync(tenantClient, data.Body(request), TimeSpan.FromMinutes(1));
        await DurabilityFaultTests.WaitForDrainedLogAsync(fresh.ConnectionString, restored);
        await RollingRestartTests.AssertBucketsAsync(fresh.ConnectionString, data);
        Assert.NotEmpty(uninterrupted);
        Assert.Equal(uninterrupted, await RollingRestartTests.SettledVerdictsAsync(fresh.ConnectionString, data.Tenant));
        File.Delete(dump);
        File.Delete(roles);
    }

    private static async Task<string> CreateTokenAsync(HttpClient admin, string tenant)
    {
        var created = await admin.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant, roles = new[] { "ingest", "read" } });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>libpq options for an Npgsql connection string (host, port, user, and the database unless it is "").</summary>
    private static string Libpq(string connectionString, string? database = null)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var server = $"-h {b.Host} -p {b.Port} -U {b.Username}";
        return database == "" ? server : $"{server} -d {database ?? b.Database}";
    }

    private static async Task Bash(string script)
    {
        var info = new ProcessStartInfo("bash", ["-c", "set -o pipefail; " + script]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = RepoPaths.Root };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} exited with {process.ExitCode}: {await error}");
    }
}
