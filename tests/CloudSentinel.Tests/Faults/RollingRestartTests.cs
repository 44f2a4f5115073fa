using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// The upgrade procedure of docs/durability.md ("Rolling restart"): while a client sends at a steady
/// pace, each silo and then the gateway is stopped with SIGTERM and started again, one at a time.
/// The client only ever has to send again (503 with Retry-After, or no answer while the one gateway
/// restarts), every bucket ends with its last acknowledged amount, and the anomaly verdicts are those
/// of the same data sent to a cluster that was never restarted.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Restarting_each_silo_then_the_gateway_under_steady_ingest_loses_nothing_and_changes_no_verdict()
    {
        var data = new SteadyCosts("rolling");
        var reference = await ReferenceVerdictsAsync(data);

        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 3);
        await cluster.StartAsync();
        var answers = new List<string>();
        var sent = 0;
        var sender = Task.Run(async () =>
        {
            for (var request = 0; request < data.Requests; request++)
            {
                answers.AddRange(await PatientClient.SendAsync(cluster.Http, data.Body(request), TimeSpan.FromMinutes(2)));
                Interlocked.Increment(ref sent);
                await Task.Delay(700);
            }
        });

        var clock = Stopwatch.StartNew();
        var steps = new List<string>();
        for (var n = 1; n <= cluster.SiloCount; n++)
        {
            await cluster.StopSiloAsync(n);
            steps.Add($"silo-{n} stopped at {clock.Elapsed.TotalSeconds:0.0} s (request {sent})");
            cluster.StartSilo(n);
            // The next silo goes only once this one serves again, as the procedure says.
            await Task.Delay(TimeSpan.FromSeconds(6));
        }

        await cluster.StopGatewayAsync();
        steps.Add($"gateway stopped at {clock.Elapsed.TotalSeconds:0.0} s (request {sent})");
        cluster.StartGateway();
        await cluster.WaitReadyAsync();
        steps.Add($"gateway ready at {clock.Elapsed.TotalSeconds:0.0} s (request {sent})");
        await sender;

        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);
        var verdicts = await SettledVerdictsAsync(database.ConnectionString, data.Tenant);
        output.WriteLine(string.Join('\n', steps));
        output.WriteLine($"{data.Requests} requests, answers other than 200: {answers.Count}: {string.Join(" | ", answers.Select(a => a[..Math.Min(a.Length, 120)]).Distinct().Take(6))}");
        output.WriteLine($"verdicts: {verdicts.Count} (reference {reference.Count})");

        Assert.True(sent == data.Requests && steps.Count == 5, "the restarts happened while the client was sending");
        Assert.All(answers, a => Assert.Matches(@"^(503 retry-after=\d+: |no answer: )", a));
        await AssertBucketsAsync(database.ConnectionString, data);
        Assert.NotEmpty(reference);
        Assert.Equal(reference, verdicts);
    }

    /// <summary>The same data to a one-silo cluster that is never restarted.</summary>
    private static async Task<List<string>> ReferenceVerdictsAsync(SteadyCosts data)
    {
        await using var database = await TestPostgres.CreateAsync("cs_fault");
        await using var cluster = new ProcessCluster(database.ConnectionString, silos: 1);
        await cluster.StartAsync();
        for (var request = 0; request < data.Requests; request++) await PatientClient.SendAsync(cluster.Http, data.Body(request), TimeSpan.FromMinutes(1));
        await DurabilityFaultTests.WaitForDrainedLogAsync(database.ConnectionString, cluster);
        await AssertBucketsAsync(database.ConnectionString, data);
        return await SettledVerdictsAsync(database.ConnectionString, data.Tenant);
    }

    internal static async Task AssertBucketsAsync(string connectionString, SteadyCosts data)
    {
        var held = await BucketsAsync(connectionString, data.Tenant);
        var expected = data.Expected();
        Assert.Equal(expected.Count, held.Count);
        Assert.All(expected, e => Assert.Equal(e.Value, held.GetValueOrDefault(e.Key)));
    }

    /// <summary>The tenant's service_costs amounts by (service, hour).</summary>
    internal static async Task<Dictionary<(string, DateTime), decimal>> BucketsAsync(string connectionString, string tenant)
    {
        var held = new Dictionary<(string, DateTime), decimal>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT service_name, \"timestamp\", cost_usd FROM service_costs WHERE tenant_id = $1", connection) { Parameters = { new() { Value = tenant } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) held.Add((reader.GetString(0), reader.GetDateTime(1)), reader.GetDecimal(2));
        return held;
    }

    /// <summary>cost_anomalies of the tenant, once two readings 3 s apart agree (verdicts are written after the buckets).</summary>
    internal static async Task<List<string>> SettledVerdictsAsync(string connectionString, string tenant)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var last = await VerdictsAsync(connectionString, tenant);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(3_000);
            var now = await VerdictsAsync(connectionString, tenant);
            if (now.SequenceEqual(last)) return now;
            last = now;
        }

        throw new TimeoutException("the anomaly verdicts did not settle");
    }

    private static async Task<List<string>> VerdictsAsync(string connectionString, string tenant)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT service_name || ' ' || to_char(\"timestamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') || ' ' || cost_usd || ' z=' || round(zscore::numeric, 3) FROM cost_anomalies WHERE tenant_id = $1 ORDER BY 1",
            connection) { Parameters = { new() { Value = tenant } } };
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
