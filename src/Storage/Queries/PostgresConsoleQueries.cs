using CloudSentinel.Core;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// The console's reads, from PostgreSQL only, each bounded whatever the tenant's size: tenant totals
/// from the hourly rollup (V004), service rankings from the daily rollup (V012) with paging done by
/// the database, and one service's hours by its primary key. The running hour is included as it stands.
/// </summary>
public sealed class PostgresConsoleQueries(NpgsqlDataSource dataSource, TimeProvider clock) : IConsoleQueries
{
    /// <summary>How far below the month to date a forecast may be and still count (rounding of the grains' amounts).</summary>
    private const decimal ForecastTolerance = 0.01m;

    private static readonly TimeSpan History = IConsoleQueries.History;

    public async Task<string[]> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant_id FROM tenant_roles ORDER BY tenant_id");
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) tenants.Add(reader.GetString(0));
        return [.. tenants];
    }

    public async Task<TenantSummary> SummaryAsync(string tenant, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hour = UtcHours.HourStart(now);
        var month = UtcHours.MonthStart(now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var hours = await TenantHoursAsync(connection, tenant, Min(month, hour.AddHours(-23)), month.AddMonths(1), cancellationToken);
        var last24 = Enumerable.Range(0, 24).Select(i => hour.AddHours(i - 23)).Select(h => new HourCost(h, hours.GetValueOrDefault(h))).ToArray();
        var mtd = hours.Where(h => h.Key >= month).Sum(h => h.Value);
        var (forecast, forecastProgress) = await TenantForecastAsync(connection, tenant, month, cancellationToken);
        var budget = await BudgetAsync(connection, tenant, "*", cancellationToken);
        var freshness = await FreshnessAsync(connection, tenant, hour - History, cancellationToken);
        var (anomalies, count) = await AnomaliesAsync(connection, tenant, null, hour.AddHours(-23), 10, cancellationToken);
        var top = await ServicesAsync(connection, tenant, null, "last7", 0, 10, now, cancellationToken);
        return new TenantSummary(tenant, now, month, hour, mtd, forecast, budget, last24, freshness, count, anomalies, top, forecastProgress);
    }

    public async Task<ServicePage> ServicesAsync(string tenant, string? search, string sort, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ServicesAsync(connection, tenant, search, sort, offset, limit, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    public async Task<ServiceHistory> ServiceHistoryAsync(string tenant, string service, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ServiceHistory.LoadAsync(connection, tenant, service, from, to, cancellationToken);
    }

    public async Task<ServiceOutlook> ServiceOutlookAsync(string tenant, string service, DateTime month, DateTime anomaliesSince, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (anomalies, _) = await AnomaliesAsync(connection, tenant, service, anomaliesSince, 1000, cancellationToken);
        return new ServiceOutlook(await BudgetAsync(connection, tenant, service, cancellationToken),
            await ServiceForecastAsync(connection, tenant, service, month, cancellationToken), anomalies);
    }

    public async Task<ClusterRow[]> ClustersAsync(string tenant, CancellationToken cancellationToken)
    {
        var hour = UtcHours.HourStart(clock.GetUtcNow().UtcDateTime);
        await using var command = dataSource.CreateCommand("""
            SELECT cluster_name, sum(allocated_cost_usd), max("timestamp"), count(DISTINCT service_name)::int
            FROM shared_infrastructure_allocation
            WHERE tenant_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3
            GROUP BY cluster_name ORDER BY 2 DESC, 1 LIMIT 1000
            """);
        Add(command, tenant, hour.AddHours(-24), hour);
        var rows = new List<ClusterRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(new ClusterRow(reader.GetString(0), reader.GetDecimal(1), Utc(reader.GetDateTime(2)), reader.GetInt32(3)));
        return [.. rows];
    }

    private static async Task<Dictionary<DateTime, decimal>> TenantHoursAsync(NpgsqlConnection connection, string tenant, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "timestamp", sum(cost_usd) FROM service_costs_tenant_hourly
            WHERE tenant_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 GROUP BY 1
            """, connection);
        Add(command, tenant, from, to);
        var hours = new Dictionary<DateTime, decimal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) hours[Utc(reader.GetDateTime(0))] = reader.GetDecimal(1);
        return hours;
    }

    /// <summary>
    /// The tenant's forecast is the sum of its services' forecasts, and so is its band, as on the Grafana
    /// budget dashboard (a band that assumes the services' errors move together). It is null until every
    /// service with cost this month or a forecast has its forecast computed: a sum over some of them is
    /// not a forecast of the tenant (issue 19), so the progress says how many are done instead. A forecast
    /// below what the service has already cost this month predates data that arrived since (a backfill
    /// landing faster than its grain rewrites the row): it counts as not computed yet, so the overview
    /// never shows a month forecast below the month to date beside it.
    /// </summary>
    private static async Task<(ForecastBand? Band, ForecastProgress Progress)> TenantForecastAsync(NpgsqlConnection connection, string tenant, DateTime month, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT sum(f.forecast_usd), sum(f.lower_usd), sum(f.upper_usd),
                   count(f.service_name) FILTER (WHERE f.forecast_usd >= coalesce(d.month_usd, 0) - $4)::int, count(*)::int
            FROM (SELECT service_name, sum(cost_usd) AS month_usd FROM service_costs_service_daily WHERE tenant_id = $1 AND day >= $2 AND day < $3
                  GROUP BY service_name HAVING sum(buckets) > 0) d
            FULL JOIN (SELECT service_name, forecast_usd, lower_usd, upper_usd FROM cost_forecasts WHERE tenant_id = $1 AND month = $2 AND service_name <> '*') f
            USING (service_name)
            """, connection);
        Add(command, tenant, DateOnly.FromDateTime(month), DateOnly.FromDateTime(month.AddMonths(1)), ForecastTolerance);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var progress = new ForecastProgress(reader.GetInt32(3), reader.GetInt32(4));
        var complete = progress.Computed > 0 && progress.Computed == progress.Services;
        return (complete ? new ForecastBand(reader.GetDecimal(0), reader.GetDecimal(1), reader.GetDecimal(2), progress.Computed) : null, progress);
    }

    private static async Task<ForecastBand?> ServiceForecastAsync(NpgsqlConnection connection, string tenant, string service, DateTime month, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT forecast_usd, lower_usd, upper_usd FROM cost_forecasts WHERE tenant_id = $1 AND service_name = $2 AND month = $3", connection);
        Add(command, tenant, service, DateOnly.FromDateTime(month));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new ForecastBand(reader.GetDecimal(0), reader.GetDecimal(1), reader.GetDecimal(2), 1) : null;
    }

    private static async Task<decimal?> BudgetAsync(NpgsqlConnection connection, string tenant, string service, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT monthly_budget_usd FROM budgets WHERE tenant_id = $1 AND service_name = $2", connection);
        Add(command, tenant, service);
        return await command.ExecuteScalarAsync(cancellationToken) is decimal amount ? amount : null;
    }

    private static async Task<ProviderFreshness[]> FreshnessAsync(NpgsqlConnection connection, string tenant, DateTime since, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT cloud_provider, max("timestamp") FROM service_costs_tenant_hourly
            WHERE tenant_id = $1 AND "timestamp" >= $2 AND buckets > 0 GROUP BY 1 ORDER BY 1
            """, connection);
        Add(command, tenant, since);
        var rows = new List<ProviderFreshness>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(new ProviderFreshness(reader.GetString(0), Utc(reader.GetDateTime(1))));
        return [.. rows];
    }

    /// <summary>Recorded anomalies since <paramref name="since"/>, largest impact first, and how many there are in all.</summary>
    private static async Task<(AnomalyExplanation[] Rows, int Count)> AnomaliesAsync(
        NpgsqlConnection connection, string tenant, string? service, DateTime since, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "timestamp", service_name, cost_usd, expected_cost, zscore, direction, reason, count(*) OVER ()::int
            FROM cost_anomalies
            WHERE tenant_id = $1 AND "timestamp" >= $2 AND ($3::text IS NULL OR service_name = $3)
            ORDER BY abs(cost_usd - expected_cost) DESC, "timestamp" DESC, service_name LIMIT $4
            """, connection);
        Add(command, tenant, since);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)service ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<AnomalyExplanation>();
        var count = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (actual, expected) = (reader.GetDecimal(2), reader.GetDecimal(3));
            rows.Add(new AnomalyExplanation(Utc(reader.GetDateTime(0)), reader.GetString(1), actual, expected, reader.GetDouble(4), reader.GetString(5),
                Math.Abs(actual - expected), reader.GetString(6)));
            count = reader.GetInt32(7);
        }

        return ([.. rows], count);
    }

    private static async Task<ServicePage> ServicesAsync(
        NpgsqlConnection connection, string tenant, string? search, string sort, int offset, int limit, DateTime now, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now);
        var page = await ServiceRanking.QueryAsync(connection, tenant, search, sort, offset, limit, today, DateOnly.FromDateTime(UtcHours.MonthStart(now)), cancellationToken);
        var names = page.Select(r => r.ServiceName).ToArray();
        var budgets = await ByServiceAsync(connection, "SELECT service_name, monthly_budget_usd FROM budgets WHERE tenant_id = $1 AND service_name = ANY($2)",
            tenant, names, null, cancellationToken);
        var forecasts = await ByServiceAsync(connection, "SELECT service_name, forecast_usd FROM cost_forecasts WHERE tenant_id = $1 AND service_name = ANY($2) AND month = $3",
            tenant, names, DateOnly.FromDateTime(UtcHours.MonthStart(now)), cancellationToken);
        var anomalies = await ByServiceAsync(connection, "SELECT service_name, count(*)::numeric FROM cost_anomalies WHERE tenant_id = $1 AND service_name = ANY($2) AND \"timestamp\" >= $3 GROUP BY 1",
            tenant, names, UtcHours.HourStart(now).AddHours(-23), cancellationToken);
        var rows = page.Select(r => r with
        {
            BudgetUsd = budgets.TryGetValue(r.ServiceName, out var b) ? b : null,
            // Below the month to date: written before data that arrived since (see TenantForecastAsync).
            ForecastUsd = forecasts.TryGetValue(r.ServiceName, out var f) && f >= r.MonthToDateUsd - ForecastTolerance ? f : null,
            Anomalies24h = (int)anomalies.GetValueOrDefault(r.ServiceName),
        }).ToArray();
        return new ServicePage(tenant, today.AddDays(-7), today.AddDays(-1), sort, offset, limit, page.Total, rows);
    }

    private static async Task<Dictionary<string, decimal>> ByServiceAsync(
        NpgsqlConnection connection, string sql, string tenant, string[] services, object? third, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (services.Length == 0) return values;
        await using var command = new NpgsqlCommand(sql, connection);
        Add(command, tenant, services);
        if (third is not null) Add(command, third);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) values[reader.GetString(0)] = reader.GetDecimal(1);
        return values;
    }

    internal static void Add(NpgsqlCommand command, params object[] values)
    {
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
    }

    internal static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
