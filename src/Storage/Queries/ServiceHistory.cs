using CloudSentinel.Core;
using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// One service's buckets over a range, summed per hour and kept by cost type, provider and source,
/// read by the primary key (tenant, service, hour). Shared cost is what cluster grains wrote under
/// sources <see cref="CostVocabulary.SharedSource"/>.
/// </summary>
public sealed class ServiceHistory
{
    private readonly SortedDictionary<DateTime, decimal> _totals = [];
    private readonly List<(DateTime Hour, string CostType, string Provider, string Source, decimal CostUsd)> _rows = [];

    /// <summary>The service's first hour with data ever (not just in the range), so the detector's warm-up is judged as the grain judges it.</summary>
    public DateTime? FirstHour { get; private set; }

    public DateTime LastHour => _totals.Count == 0 ? DateTime.MinValue : _totals.Keys.Last();

    public decimal TotalAt(DateTime hour) => _totals.GetValueOrDefault(hour);

    public decimal Sum(DateTime from, DateTime to) => _totals.Where(t => t.Key >= from && t.Key < to).Sum(t => t.Value);

    public LabeledCost[] ByType(DateTime from) => Group(from, r => r.CostType);

    public LabeledCost[] ByProvider(DateTime from) => Group(from, r => r.Provider);

    public SharedShare Shared(DateTime from)
    {
        var rows = _rows.Where(r => r.Hour >= from).ToList();
        var clusters = rows.Select(r => (Cluster: CostVocabulary.SharedCluster(r.Source), r.CostUsd)).Where(r => r.Cluster is not null)
            .GroupBy(r => r.Cluster!, StringComparer.Ordinal)
            .Select(g => new LabeledCost(g.Key, g.Sum(r => r.CostUsd)))
            .OrderByDescending(c => c.CostUsd).ThenBy(c => c.Label, StringComparer.Ordinal).ToArray();
        return new SharedShare(rows.Sum(r => r.CostUsd), clusters.Sum(c => c.CostUsd), clusters);
    }

    internal static async Task<ServiceHistory> LoadAsync(
        NpgsqlConnection connection, string tenant, string service, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var history = new ServiceHistory();
        await using (var first = new NpgsqlCommand("SELECT min(\"timestamp\") FROM service_costs WHERE tenant_id = $1 AND service_name = $2", connection))
        {
            PostgresConsoleQueries.Add(first, tenant, service);
            if (await first.ExecuteScalarAsync(cancellationToken) is DateTime firstHour) history.FirstHour = PostgresConsoleQueries.Utc(firstHour);
        }

        await using var command = new NpgsqlCommand("""
            SELECT "timestamp", cost_type, cloud_provider, source, sum(cost_usd) FROM service_costs
            WHERE tenant_id = $1 AND service_name = $2 AND "timestamp" >= $3 AND "timestamp" < $4
            GROUP BY 1, 2, 3, 4
            """, connection);
        PostgresConsoleQueries.Add(command, tenant, service, from, to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var hour = PostgresConsoleQueries.Utc(reader.GetDateTime(0));
            var cost = reader.GetDecimal(4);
            history._rows.Add((hour, reader.GetString(1), reader.GetString(2), reader.GetString(3), cost));
            history._totals[hour] = history._totals.GetValueOrDefault(hour) + cost;
        }

        return history;
    }

    private LabeledCost[] Group(DateTime from, Func<(DateTime Hour, string CostType, string Provider, string Source, decimal CostUsd), string> key) =>
        _rows.Where(r => r.Hour >= from).GroupBy(key, StringComparer.Ordinal)
            .Select(g => new LabeledCost(g.Key, g.Sum(r => r.CostUsd)))
            .OrderByDescending(c => c.CostUsd).ThenBy(c => c.Label, StringComparer.Ordinal).ToArray();
}
