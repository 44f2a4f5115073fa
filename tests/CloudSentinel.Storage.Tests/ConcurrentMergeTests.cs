using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Storage.IngestLog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Serialization;

namespace CloudSentinel.Storage.Tests;

/// <summary>
/// Requests merged by two gateways at once (two journals, each on its own connection pool) into the
/// same tenants and keys, while the rollup folder runs: no deadlock, the highest sequence wins every
/// key, the rollups equal a GROUP BY over the buckets at every step, and a resend changes nothing.
/// </summary>
public sealed class ConcurrentMergeTests
{
    private const int RequestsPerGateway = 30;
    private static readonly DateTime FirstHour = new(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Tenants = ["t1", "t2"];

    private const string RollupMismatches = """
        SELECT (SELECT count(*)
                FROM (SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd) AS cost_usd, count(*) AS buckets
                      FROM service_costs GROUP BY 1, 2, 3, 4) fresh
                FULL JOIN (SELECT * FROM service_costs_tenant_hourly WHERE buckets <> 0) r USING (tenant_id, "timestamp", cost_type, cloud_provider)
                WHERE fresh.cost_usd IS DISTINCT FROM r.cost_usd OR fresh.buckets IS DISTINCT FROM r.buckets)
             + (SELECT count(*)
                FROM (SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, service_name, sum(cost_usd) AS cost_usd, count(*) AS buckets
                      FROM service_costs GROUP BY 1, 2, 3) fresh
                FULL JOIN (SELECT * FROM service_costs_service_daily WHERE buckets <> 0) r USING (tenant_id, day, service_name)
                WHERE fresh.cost_usd IS DISTINCT FROM r.cost_usd OR fresh.buckets IS DISTINCT FROM r.buckets)
        """;

    /// <summary>Request r writes every key of the shared services with r in its dollars, and one marker bucket that names its sequence.</summary>
    private static List<CostBatch> Request(int r, Random random)
    {
        var batches = new List<CostBatch>();
        foreach (var tenant in Tenants)
        {
            for (var s = 0; s < 5; s++)
            {
                var updates = Enumerable.Range(0, 48)
                    .Select(k => new BucketUpdate(new BucketKey("aws", "1", k % 2 == 0 ? "compute" : "storage", FirstHour.AddHours(k / 2), "", ""),
                        new BucketAmount(r + 0.5m + k / 1_000_000m, 0, 0, 0)))
                    .OrderBy(_ => random.Next())
                    .ToArray();
                batches.Add(new CostBatch(tenant, $"shared-{s}", updates));
            }
        }

        batches.Add(new CostBatch("t1", $"marker-{r}", [new BucketUpdate(new BucketKey("aws", "1", "other", FirstHour, "", ""), new BucketAmount(1m, 0, 0, 0))]));
        return [.. batches.OrderBy(_ => random.Next())];
    }

    [Fact]
    public async Task Two_gateways_on_overlapping_tenants_never_deadlock_and_the_highest_sequence_wins()
    {
        await using var database = await TestPostgres.CreateAsync("cs_merge");
        await using (var migrate = NpgsqlDataSource.Create(database.ConnectionString))
        {
            await SchemaMigrator.MigrateAsync(migrate, NullLogger.Instance);
        }

        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        await using var gatewayA = NpgsqlDataSource.Create(database.ConnectionString);
        await using var gatewayB = NpgsqlDataSource.Create(database.ConnectionString);
        await using var silo = NpgsqlDataSource.Create(database.ConnectionString);
        var journals = new[] { gatewayA, gatewayB }.Select(d => new PostgresIngestJournal(d, serializer, new TenantRoles(d))).ToArray();
        var folder = new RollupFolder(silo, NullLogger<RollupFolder>.Instance);

        using var stop = new CancellationTokenSource();
        var mismatchesSeen = 0L;
        var folding = Task.Run(async () =>
        {
            await using var reader = await silo.OpenConnectionAsync();
            while (!stop.IsCancellationRequested)
            {
                await folder.FoldAsync(CancellationToken.None);
                mismatchesSeen += await reader.ScalarSqlAsync<long>(RollupMismatches);
            }
        });
        var writers = journals.Select((journal, g) => Task.Run(async () =>
        {
            var random = new Random(g);
            for (var i = 0; i < RequestsPerGateway; i++)
            {
                await journal.AppendAsync(Request(g * RequestsPerGateway + i, random), [], CancellationToken.None);
            }
        })).ToArray();

        await Task.WhenAll(writers);
        stop.Cancel();
        await folding;

        await using var check = await silo.OpenConnectionAsync();
        Assert.Equal(0L, mismatchesSeen);
        Assert.Equal(0L, await check.ScalarSqlAsync<long>(RollupMismatches));
        // Every shared bucket holds the newest request's amount: its sequence is the highest of all, and its dollars name the request whose marker carries that sequence.
        Assert.Equal(2L * 5 * 48, await check.ScalarSqlAsync<long>("SELECT count(*) FROM service_costs WHERE service_name LIKE 'shared-%'"));
        Assert.Equal(0L, await check.ScalarSqlAsync<long>("""
            SELECT count(*) FROM service_costs c
            WHERE c.service_name LIKE 'shared-%'
              AND (c.ingest_seq <> (SELECT max(ingest_seq) FROM ingest_log)
                   OR c.ingest_seq IS DISTINCT FROM (SELECT l.ingest_seq FROM ingest_log l WHERE l.target = 't1/marker-' || floor(c.cost_usd)::int))
            """));
        Assert.Equal(2L * RequestsPerGateway, await check.ScalarSqlAsync<long>("SELECT count(DISTINCT ingest_seq) FROM ingest_log"));

        // The folder leaves nothing pending, and the folded rows alone are the GROUP BY.
        Assert.True(await folder.FoldAsync(CancellationToken.None) >= 0);
        Assert.Equal(0L, await check.ScalarSqlAsync<long>("SELECT (SELECT count(*) FROM service_costs_tenant_hourly_deltas) + (SELECT count(*) FROM service_costs_service_daily_deltas)"));
        Assert.Equal(0L, await check.ScalarSqlAsync<long>(RollupMismatches));

        // A resend of the winning request takes a newer sequence and changes no amount, no updated_at and no rollup.
        var winner = await check.ScalarSqlAsync<int>("SELECT floor(max(cost_usd))::int FROM service_costs WHERE service_name LIKE 'shared-%'");
        const string State = "SELECT sum(cost_usd)::text || ' ' || max(updated_at)::text || ' ' || count(*) FROM service_costs";
        var before = await check.ScalarSqlAsync<string>(State);
        await journals[0].AppendAsync(Request(winner, new Random(7)), [], CancellationToken.None);
        Assert.Equal(before, await check.ScalarSqlAsync<string>(State));
        Assert.Equal(0L, await check.ScalarSqlAsync<long>("SELECT (SELECT count(*) FROM service_costs_tenant_hourly_deltas) + (SELECT count(*) FROM service_costs_service_daily_deltas)"));
        Assert.Equal(0L, await check.ScalarSqlAsync<long>("""
            SELECT count(*) FROM service_costs WHERE service_name LIKE 'shared-%' AND ingest_seq <> (SELECT max(ingest_seq) FROM ingest_log)
            """));
    }
}
