using Npgsql;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>
/// service_costs_tenant_hourly (migration V004) feeds the overview's tenant totals, so it must
/// equal the buckets it sums after every kind of write the bucket writer and an operator make.
/// </summary>
public sealed class TenantHourlyRollupTests(CostDatabaseFixture database) : IClassFixture<CostDatabaseFixture>
{
    /// <summary>Rollup rows that differ from a fresh GROUP BY of service_costs (empty rollup rows are fine).</summary>
    private const string Mismatches = """
        SELECT count(*)
        FROM (SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd) AS cost_usd, count(*) AS buckets
              FROM service_costs GROUP BY 1, 2, 3, 4) fresh
        FULL JOIN (SELECT * FROM service_costs_tenant_hourly WHERE buckets <> 0) rollup
            USING (tenant_id, "timestamp", cost_type, cloud_provider)
        WHERE fresh.cost_usd IS DISTINCT FROM rollup.cost_usd OR fresh.buckets IS DISTINCT FROM rollup.buckets
        """;

    [Fact]
    public async Task Rollup_equals_the_buckets_after_seed_restatement_new_hours_and_deletes()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(0L, await connection.ScalarSqlAsync<long>(Mismatches));

        // The writer's upsert: some buckets restated, one unchanged, one brand-new tenant hour.
        await connection.ExecuteSqlAsync("""
            INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, cost_type, breakdown, cost_usd)
            SELECT tenant_id, "timestamp", service_name, cloud_provider, cost_type, breakdown,
                   CASE WHEN service_name = 'search' THEN cost_usd ELSE cost_usd * 3 END
            FROM service_costs WHERE tenant_id = 'acme' AND "timestamp" >= '2025-03-03T00:00:00Z'
            UNION ALL
            SELECT 'acme', '2025-03-03T12:00:00Z', 'checkout', 'aws', 'compute', '', 42.5
            ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown) DO UPDATE
            SET cost_usd = EXCLUDED.cost_usd
            WHERE service_costs.cost_usd IS DISTINCT FROM EXCLUDED.cost_usd
            """);
        Assert.Equal(0L, await connection.ScalarSqlAsync<long>(Mismatches));

        await connection.ExecuteSqlAsync("DELETE FROM service_costs WHERE tenant_id = 'beta' AND service_name = 'api'");
        Assert.Equal(0L, await connection.ScalarSqlAsync<long>(Mismatches));

        await connection.ExecuteSqlAsync("TRUNCATE service_costs");
        Assert.Equal(0L, await connection.ScalarSqlAsync<long>("SELECT count(*) FROM service_costs_tenant_hourly"));
    }
}
