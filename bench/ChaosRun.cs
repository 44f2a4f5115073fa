using System.Diagnostics;
using System.Text;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// 20 rounds of random kill -9 while a known data set is sent: three silos and a gateway as real
/// processes on a durable PostgreSQL. Each round kills a random silo, the gateway, or everything, at a
/// random moment while requests are in flight, and starts it again. The client re-sends whatever got
/// no 200, as the README tells clients to. At the end every acknowledged record is compared with
/// service_costs: persisted, lost (missing or a smaller amount) and double-counted (a larger amount
/// or a row nobody sent).
/// </summary>
public static class ChaosRun
{
    private const int Rounds = 20;
    private const int RequestsPerRound = 6;
    private const int RecordsPerRequest = 250;

    public static async Task<string> RunAsync()
    {
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        try
        {
            var database = await BenchStack.CreateDatabaseAsync(server, "chaos");
            var data = new KnownCosts(Rounds * RequestsPerRound, RecordsPerRequest);
            await using var cluster = new ProcessCluster(database, silos: 3);
            await cluster.StartAsync();
            var random = new Random(20261202);
            var kills = new List<string>();
            var refusals = 0;
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < Rounds; round++)
            {
                var victim = random.Next(5) switch { 0 => "gateway", 1 => "all", var n => $"silo-{n - 1}" };
                var killAt = TimeSpan.FromMilliseconds(random.Next(200, 2_500));
                var sending = Task.Run(async () =>
                {
                    var sent = 0;
                    for (var r = 0; r < RequestsPerRound; r++) sent += (await data.SendUntilAcknowledgedAsync(cluster.Http, round * RequestsPerRound + r, TimeSpan.FromMinutes(5))).Count;
                    return sent;
                });
                await Task.Delay(killAt);
                Kill(cluster, victim);
                kills.Add($"{victim}@{killAt.TotalMilliseconds:0}ms");
                await Task.Delay(random.Next(500, 3_000));
                Restart(cluster, victim);
                refusals += await sending;
                Console.WriteLine($"round {round + 1}/{Rounds}: killed {victim} after {killAt.TotalMilliseconds:0} ms; {refusals} non-200 answers so far");
            }

            await cluster.WaitReadyAsync(TimeSpan.FromMinutes(3));
            var drained = Stopwatch.StartNew();
            while (await ScalarAsync(database, "SELECT count(*) FROM ingest_log") > 0)
            {
                if (drained.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("the ingest log did not drain");
                await Task.Delay(500);
            }

            var (persisted, lost, doubled, extra) = await CompareAsync(database, data);
            var deadLetters = await ScalarAsync(database, "SELECT count(*) FROM ingest_dead_letters");
            return new StringBuilder()
                .AppendLine("## Chaos run: random kill -9 while sending")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, `dotnet run -c Release --project bench -- chaos` ({clock.Elapsed.TotalMinutes:0.0} min).")
                .AppendLine("Three silos and a gateway as processes on a throwaway PostgreSQL with durable settings (fsync and synchronous_commit on).")
                .AppendLine($"{Rounds} rounds of {RequestsPerRound} NDJSON requests × {RecordsPerRequest} records (every record its own bucket); in each round a random victim")
                .AppendLine("(a silo, the gateway, or every process) is killed with SIGKILL at a random moment and started again; the client re-sends any request without a 200.")
                .AppendLine()
                .AppendLine("| measure | value |")
                .AppendLine("|---|---|")
                .AppendLine($"| records acknowledged (200) | {data.Records:N0} in {data.Requests} requests |")
                .AppendLine($"| answers other than 200 (re-sent) | {refusals:N0} |")
                .AppendLine($"| records persisted with the acknowledged amount | {persisted:N0} |")
                .AppendLine($"| **lost** (missing, or a smaller amount) | **{lost:N0}** |")
                .AppendLine($"| **double-counted** (a larger amount, or a row nobody sent) | **{doubled + extra:N0}** |")
                .AppendLine($"| dead letters | {deadLetters:N0} |")
                .AppendLine($"| kills | {string.Join(", ", kills)} |")
                .ToString();
        }
        finally
        {
            await stopPostgres();
        }
    }

    private static void Kill(ProcessCluster cluster, string victim)
    {
        switch (victim)
        {
            case "gateway": cluster.KillGateway(); break;
            case "all": cluster.KillAll(); break;
            default: cluster.KillSilo(int.Parse(victim["silo-".Length..])); break;
        }
    }

    private static void Restart(ProcessCluster cluster, string victim)
    {
        switch (victim)
        {
            case "gateway": cluster.StartGateway(); break;
            case "all":
                for (var n = 1; n <= cluster.SiloCount; n++) cluster.StartSilo(n);
                cluster.StartGateway();
                break;
            default: cluster.StartSilo(int.Parse(victim["silo-".Length..])); break;
        }
    }

    private static async Task<(long Persisted, long Lost, long Doubled, long Extra)> CompareAsync(string database, KnownCosts data)
    {
        var expected = data.ExpectedBuckets();
        var seen = new HashSet<(string, DateTime, string)>();
        long persisted = 0, lost = 0, doubled = 0, extra = 0;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT service_name, \"timestamp\", account_id, cost_usd FROM service_costs WHERE tenant_id = '{KnownCosts.Tenant}'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var key = (reader.GetString(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc), reader.GetString(2));
                var amount = reader.GetDecimal(3);
                seen.Add(key);
                if (!expected.TryGetValue(key, out var want)) extra++;
                else if (amount == want) persisted++;
                else if (amount < want) lost++;
                else doubled++;
            }
        }

        lost += expected.Keys.Count(k => !seen.Contains(k));
        return (persisted, lost, doubled, extra);
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
