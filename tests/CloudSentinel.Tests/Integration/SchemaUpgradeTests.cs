using CloudSentinel.Dashboards.Tests;
using CloudSentinel.Storage;
using CloudSentinel.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// Upgrading a database that an earlier release wrote: V014 turns network_costs and storage_costs
/// into views of service_costs, and must keep every amount those tables held.
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
}
