using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Storage.IngestLog;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CloudSentinel.Storage.Tests;

/// <summary>
/// Upgrading a database that an earlier release wrote: V014 turns network_costs and storage_costs
/// into views of service_costs, and must keep every amount those tables held; V015–V016 turn the
/// rollups into folded tables plus deltas behind views of the old names, and must keep every total.
/// </summary>
public sealed class SchemaUpgradeTests
{
    [Fact]
    public async Task Network_and_storage_rows_of_an_earlier_release_survive_as_views_of_service_costs()
    {
        await using var database = await TestPostgres.CreateAsync("cs_upgrade");
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            // The schema as V013 left it, recorded as applied, as an earlier release's silo would have.
            await connection.ExecuteSqlAsync("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            foreach (var (version, name, sql) in SchemaMigrator.Scripts().Where(s => s.Version < 14))
            {
                await connection.ExecuteSqlAsync(sql);
                await connection.ExecuteSqlAsync($"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}')");
            }

            // What the bucket writer of that release wrote: each network and storage bucket twice...
            await connection.ExecuteSqlAsync("""
                INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, cost_type, breakdown, cost_usd, storage_gb, ingest_seq) VALUES
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'network', 'egress', 1.25, 0, 7),
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'storage', 'ssd', 2.50, 100, 7),
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'storage', '', 0.75, 30, 7);
                INSERT INTO network_costs (tenant_id, "timestamp", service_name, cloud_provider, direction, cost_usd, ingest_seq) VALUES
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'egress', 1.25, 7);
                INSERT INTO storage_costs (tenant_id, "timestamp", service_name, cloud_provider, storage_type, storage_gb, cost_usd, ingest_seq) VALUES
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'ssd', 100, 2.50, 7),
                    ('acme', '2026-11-30 10:00Z', 'api', 'aws', 'unspecified', 30, 0.75, 7);
                """);
            // ...and rows with no counterpart, as a hand-written insert would leave.
            await connection.ExecuteSqlAsync("""
                INSERT INTO network_costs (tenant_id, "timestamp", service_name, cloud_provider, direction, cost_usd, ingest_seq) VALUES
                    ('acme', '2026-11-30 11:00Z', 'api', 'aws', 'ingress', 0.40, 8);
                INSERT INTO storage_costs (tenant_id, "timestamp", service_name, cloud_provider, storage_type, storage_gb, cost_usd, ingest_seq) VALUES
                    ('beta', '2026-11-30 11:00Z', 'db', 'gcp', 'hdd', 500, 3.10, 9);
                """);
        }

        // V014 and whatever later migrations there are.
        Assert.Equal(SchemaMigrator.Scripts().Count(s => s.Version >= 14), await SchemaMigrator.MigrateAsync(dataSource, NullLogger.Instance));

        await using var check = await dataSource.OpenConnectionAsync();
        Assert.Equal("network_costs:v storage_costs:v", await check.ScalarSqlAsync<string>("""
            SELECT string_agg(relname || ':' || relkind::text, ' ' ORDER BY relname) FROM pg_class
            WHERE relname IN ('network_costs', 'storage_costs') AND relnamespace = 'public'::regnamespace
            """));
        Assert.Equal("acme 2026-11-30 10:00 egress 1.25 7; acme 2026-11-30 11:00 ingress 0.40 8", await check.ScalarSqlAsync<string>("""
            SELECT string_agg(concat_ws(' ', tenant_id, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), direction, cost_usd, ingest_seq), '; ' ORDER BY "timestamp")
            FROM network_costs
            """));
        Assert.Equal("acme api ssd 100 2.50; acme api unspecified 30 0.75; beta db hdd 500 3.10", await check.ScalarSqlAsync<string>("""
            SELECT string_agg(concat_ws(' ', tenant_id, service_name, storage_type, storage_gb, cost_usd), '; ' ORDER BY tenant_id, storage_type)
            FROM storage_costs
            """));
        // Nothing counted twice: every bucket once in service_costs, and the tenant-hourly rollup agrees.
        Assert.Equal("5 8.00", await check.ScalarSqlAsync<string>("SELECT count(*) || ' ' || sum(cost_usd) FROM service_costs"));
        Assert.Equal("5 8.00", await check.ScalarSqlAsync<string>("SELECT sum(buckets) || ' ' || sum(cost_usd) FROM service_costs_tenant_hourly"));
        Assert.Equal(0, await SchemaMigrator.MigrateAsync(dataSource, NullLogger.Instance));
    }

    [Fact]
    public async Task A_database_written_by_the_V014_schema_keeps_every_total_through_the_rollup_deltas_and_the_merge()
    {
        await using var database = await TestPostgres.CreateAsync("cs_upgrade");
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteSqlAsync("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var (version, name, sql) in SchemaMigrator.Scripts().Where(s => s.Version <= 14))
        {
            await connection.ExecuteSqlAsync(sql);
            await connection.ExecuteSqlAsync($"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}')");
        }

        // What V014's writers left: 3 tenants × 20 services × 72 hours × 2 cost types, then restatements, deletes,
        // and one message still waiting in the ingest log (appended, not yet merged, by that release's gateway).
        await connection.ExecuteSqlAsync("""
            INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, cost_type, cost_usd, ingest_seq)
            SELECT 'u' || t, timestamptz '2026-11-28 00:00Z' + h * interval '1 hour', 'svc-' || s, 'aws', c, round((t * 7 + s * 3 + h) / 100.0, 2), 5
            FROM generate_series(1, 3) t, generate_series(1, 20) s, generate_series(0, 71) h, unnest(ARRAY['compute', 'storage']) c;
            UPDATE service_costs SET cost_usd = cost_usd * 2, ingest_seq = 6 WHERE service_name = 'svc-3';
            DELETE FROM service_costs WHERE service_name = 'svc-4' AND tenant_id = 'u2';
            INSERT INTO ingest_log (tenant_id, kind, target, payload) VALUES ('u1', 1, 'u1/svc-1', '\x00');
            """);
        const string Totals = """
            SELECT (SELECT count(*) || ' ' || sum(cost_usd) FROM service_costs)
                || ' | ' || (SELECT sum(buckets) || ' ' || sum(cost_usd) FROM service_costs_tenant_hourly)
                || ' | ' || (SELECT sum(buckets) || ' ' || sum(cost_usd) FROM service_costs_service_daily)
            """;
        var before = await connection.ScalarSqlAsync<string>(Totals);
        Assert.Equal("8496 7162.56 | 8496 7162.56 | 8496 7162.56", before);

        Assert.Equal(SchemaMigrator.Scripts().Count(s => s.Version > 14), await SchemaMigrator.MigrateAsync(dataSource, NullLogger.Instance));

        Assert.Equal(before, await connection.ScalarSqlAsync<string>(Totals));
        Assert.Equal("service_costs_service_daily:v service_costs_tenant_hourly:v", await connection.ScalarSqlAsync<string>("""
            SELECT string_agg(relname || ':' || relkind::text, ' ' ORDER BY relname) FROM pg_class
            WHERE relname IN ('service_costs_tenant_hourly', 'service_costs_service_daily') AND relnamespace = 'public'::regnamespace
            """));
        // The earlier release's message is marked unmerged, so the pump merges it before delivering it.
        Assert.Equal(1L, await connection.ScalarSqlAsync<long>("SELECT count(*) FROM ingest_log WHERE ingest_seq IS NULL"));

        // The new writers on the upgraded data: a merge under a newer sequence, a delete, a fold; the rollups stay the GROUP BY.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var sequence = await BucketMerge.NextSequenceAsync(connection, transaction);
            Assert.True(sequence > 1);
            var restated = new CostBatch("u1", "svc-1", [.. Enumerable.Range(0, 72).Select(h =>
                new BucketUpdate(new BucketKey("aws", "", "compute", new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc).AddHours(h), "", ""), new BucketAmount(1m, 0, 0, 0)))]);
            Assert.Equal(72, await BucketMerge.MergeAsync(connection, transaction, [restated], sequence));
            await transaction.CommitAsync();
        }

        await connection.ExecuteSqlAsync("DELETE FROM service_costs WHERE service_name = 'svc-5' AND tenant_id = 'u3'");
        const string Fresh = """
            SELECT (SELECT count(*) || ' ' || sum(cost_usd) FROM service_costs)
                || ' | ' || (SELECT count(*) || ' ' || sum(cost_usd) FROM service_costs)
                || ' | ' || (SELECT count(*) || ' ' || sum(cost_usd) FROM service_costs)
            """;
        var expected = await connection.ScalarSqlAsync<string>(Fresh);
        Assert.Equal(expected, await connection.ScalarSqlAsync<string>(Totals));
        Assert.True(await connection.ScalarSqlAsync<long>("SELECT service_costs_fold_rollups()") > 0);
        Assert.Equal(expected, await connection.ScalarSqlAsync<string>(Totals));
        Assert.Equal(0L, await connection.ScalarSqlAsync<long>("SELECT (SELECT count(*) FROM service_costs_tenant_hourly_deltas) + (SELECT count(*) FROM service_costs_service_daily_deltas)"));
        Assert.Equal(0, await SchemaMigrator.MigrateAsync(dataSource, NullLogger.Instance));
    }
}
