using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Dashboards.Tests;

public sealed record ServiceCostRow(string Tenant, DateTimeOffset Hour, string Service, string CostType, string Cloud, decimal CostUsd);

/// <summary>
/// Deterministic cost data for the dashboard queries: three days of hourly buckets that cross a
/// month boundary, for a full tenant (acme), a second full tenant (beta) whose rows must never
/// leak into acme's panels, and a tenant with cost rows only (gamma) whose panels must still run.
/// The rows kept in memory are what the exact-value assertions are computed from.
/// </summary>
public sealed class CostSeed
{
    /// <summary>The dashboards' "now": 36 hours into March, so month-to-date has data and February too.</summary>
    public static readonly DateTimeOffset Now = new(2025, 3, 3, 12, 0, 0, TimeSpan.Zero);

    public const int Hours = 72;

    public static readonly DateTimeOffset FirstHour = Now.AddHours(-Hours);

    public static readonly DateTimeOffset MonthStart = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Tenant, string Service, string Cloud, decimal Base)[] Services =
    [
        ("acme", "checkout", "aws", 12.50m),
        ("acme", "search", "gcp", 7.25m),
        ("acme", "reports", "azure", 3.10m),
        ("acme", "untagged", "aws", 1.75m),
        ("beta", "api", "aws", 40.00m),
        ("beta", "checkout", "gcp", 9.00m),
        ("gamma", "checkout", "oci", 2.00m),
    ];

    private static readonly (string Type, decimal Factor)[] CostTypes =
        [("compute", 1.00m), ("storage", 0.30m), ("network", 0.15m), ("database", 0.45m)];

    public List<ServiceCostRow> ServiceCosts { get; } = [];

    public static IEnumerable<DateTimeOffset> AllHours => Enumerable.Range(0, Hours).Select(h => FirstHour.AddHours(h));

    public CostSeed()
    {
        foreach (var (tenant, service, cloud, basePrice) in Services)
        {
            for (var h = 0; h < Hours; h++)
            {
                foreach (var (type, factor) in CostTypes)
                {
                    var cost = basePrice * factor + h % 7 * 0.01m;
                    // The spike that the anomaly table records below (acme checkout, hour 60).
                    if (tenant == "acme" && service == "checkout" && type == "compute" && h == 60)
                    {
                        cost *= 5;
                    }

                    ServiceCosts.Add(new ServiceCostRow(tenant, FirstHour.AddHours(h), service, type, cloud, cost));
                }
            }
        }
    }

    public async Task WriteAsync(NpgsqlConnection connection)
    {
        // Tenants other than gamma have storage by type and network by direction: their buckets are
        // split by breakdown, as the bucket writer stores them, and storage_costs and network_costs
        // (views of service_costs) show the split. gamma's stay whole.
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY service_costs (tenant_id, \"timestamp\", service_name, cloud_provider, cost_type, breakdown, cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in ServiceCosts)
            {
                var compute = row.CostType == "compute";
                foreach (var (breakdown, share, storageGb) in Breakdowns(row))
                {
                    await importer.WriteRowAsync(default, row.Tenant, row.Hour, row.Service, row.Cloud, row.CostType, breakdown, row.CostUsd * share,
                        compute ? row.CostUsd * 0.6m : 0m, compute ? row.CostUsd * 0.4m : 0m, storageGb);
                }
            }

            await importer.CompleteAsync();
        }

        await WriteAllocationAsync(connection);
        await connection.ExecuteSqlAsync(AnomaliesBudgetsForecastsSql);
    }

    private static (string Breakdown, decimal Share, decimal StorageGb)[] Breakdowns(ServiceCostRow row) => (row.Tenant, row.CostType) switch
    {
        ("gamma", _) => [("", 1m, 0m)],
        (_, "storage") => [("ssd", 0.7m, 500m), ("object", 0.3m, 2000m)],
        (_, "network") => [("egress", 0.8m, 0m), ("ingress", 0.2m, 0m)],
        _ => [("", 1m, 0m)],
    };

    private static async Task WriteAllocationAsync(NpgsqlConnection connection)
    {
        var clusters = new[] { ("acme", "prod-eks", new[] { ("checkout", "shop", 0.6m), ("search", "search", 0.4m) }),
                               ("beta", "gke-main", new[] { ("api", "api", 1.0m) }) };
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY pod_costs (tenant_id, \"timestamp\", cluster_name, namespace, pod_name, service_name, cpu_cost_usd, memory_cost_usd, storage_cost_usd) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (tenant, cluster, services) in clusters)
            {
                foreach (var hour in AllHours)
                {
                    foreach (var (service, ns, share) in services)
                    {
                        for (var pod = 0; pod < 2; pod++)
                        {
                            await importer.WriteRowAsync(default, tenant, hour, cluster, ns, $"{service}-{pod}", service,
                                2.00m * share, 1.00m * share, 0.25m * share);
                        }
                    }
                }
            }

            await importer.CompleteAsync();
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY shared_infrastructure_allocation (tenant_id, \"timestamp\", cluster_name, resource_type, service_name, cpu_allocation_percent, memory_allocation_percent, allocated_cost_usd) FROM STDIN (FORMAT BINARY)"))
        {
            var resourceCosts = new[] { ("kubernetes", 10.00m), ("storage", 2.00m), ("load_balancer", 0.50m) };
            foreach (var (tenant, cluster, services) in clusters)
            {
                foreach (var hour in AllHours)
                {
                    foreach (var (resource, cost) in resourceCosts)
                    {
                        foreach (var (service, _, share) in services)
                        {
                            await importer.WriteRowAsync(default, tenant, hour, cluster, resource, service,
                                100 * share, 100 * share, cost * share);
                        }
                    }
                }
            }

            await importer.CompleteAsync();
        }
    }

    // Hours 60 and 65 of the seed are 2025-03-03 00:00 and 05:00 UTC.
    private const string AnomaliesBudgetsForecastsSql = """
        INSERT INTO cost_anomalies (tenant_id, "timestamp", service_name, cost_usd, expected_cost, zscore, direction, reason) VALUES
          ('acme', '2025-03-03T00:00:00Z', 'checkout', 62.9, 12.5, 6.2, 'up', 'compute 5x'),
          ('acme', '2025-03-03T05:00:00Z', 'search', 1.0, 7.3, -3.4, 'down', 'traffic drop'),
          ('acme', '2025-03-02T14:00:00Z', 'reports', 4.0, 3.1, 2.5, 'up', 'below threshold'),
          ('beta', '2025-03-03T01:00:00Z', 'api', 400, 40, 9.0, 'up', 'beta only');
        INSERT INTO budgets (tenant_id, service_name, monthly_budget_usd) VALUES
          ('acme', '*', 60000), ('acme', 'checkout', 1000), ('acme', 'search', 9000), ('acme', 'reports', 3000),
          ('beta', '*', 50000), ('beta', 'api', 40000);
        INSERT INTO cost_forecasts (tenant_id, service_name, month, forecast_usd, lower_usd, upper_usd, budget_usd, forecast_exceeds_budget) VALUES
          ('acme', 'checkout', '2025-03-01', 21000, 19000, 23000, 1000, true),
          ('acme', 'search', '2025-03-01', 8000, 7000, 9500, 9000, false),
          ('acme', 'reports', '2025-03-01', 2500, 2200, 2900, 3000, false),
          ('acme', 'checkout', '2025-02-01', 20000, 18000, 22000, 1000, true),
          ('beta', 'api', '2025-03-01', 55000, 50000, 60000, 40000, true);
        """;
}
