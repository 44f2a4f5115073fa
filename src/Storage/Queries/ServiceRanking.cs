using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// A tenant's services ranked and paged by PostgreSQL, from the daily rollup (V012): at most 21 days
/// × the tenant's services rows are read, and only one page leaves the database. "Last 7 days" are the
/// 7 complete UTC days before today, compared with the 7 before them; month to date includes today.
/// </summary>
public static class ServiceRanking
{
    /// <summary>Sort keys and their ORDER BY; a key outside this table is refused, so no text from a request reaches the SQL.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sorts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["last7"] = "last7 DESC, service_name",
        ["mtd"] = "mtd DESC, service_name",
        ["change"] = "CASE WHEN has_prev AND prev7 <> 0 THEN (last7 - prev7) / abs(prev7) END DESC NULLS LAST, last7 DESC, service_name",
        ["name"] = "service_name",
    };

    internal sealed class Page(List<ServiceRow> rows, int total) : List<ServiceRow>(rows)
    {
        public int Total { get; } = total;
    }

    internal static async Task<Page> QueryAsync(
        NpgsqlConnection connection, string tenant, string? search, string sort, int offset, int limit, DateOnly today, DateOnly month, CancellationToken cancellationToken)
    {
        var last7 = today.AddDays(-7);
        var previous7 = today.AddDays(-14);
        await using var command = new NpgsqlCommand($"""
            WITH d AS (
                SELECT service_name,
                       coalesce(sum(cost_usd) FILTER (WHERE day >= $2 AND day < $3), 0) AS last7,
                       coalesce(sum(cost_usd) FILTER (WHERE day >= $4 AND day < $2), 0) AS prev7,
                       coalesce(sum(cost_usd) FILTER (WHERE day >= $5), 0) AS mtd,
                       coalesce(min(day) FILTER (WHERE buckets > 0) <= $4, false) AS has_prev
                FROM service_costs_service_daily
                WHERE tenant_id = $1 AND day >= least($4, $5)
                GROUP BY service_name
                HAVING bool_or(buckets > 0)
            )
            SELECT service_name, mtd, last7, prev7, has_prev, count(*) OVER ()::int
            FROM d
            WHERE $6::text IS NULL OR strpos(lower(service_name), lower($6)) > 0
            ORDER BY {Sorts[sort]}
            LIMIT $7 OFFSET $8
            """, connection);
        PostgresConsoleQueries.Add(command, tenant, last7, today, previous7, month);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)search ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        PostgresConsoleQueries.Add(command, limit, offset);
        var rows = new List<ServiceRow>();
        var total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (recent, previous, hasPrevious) = (reader.GetDecimal(2), reader.GetDecimal(3), reader.GetBoolean(4));
            double? change = hasPrevious && previous != 0 ? (double)((recent - previous) / Math.Abs(previous)) * 100 : null;
            rows.Add(new ServiceRow(reader.GetString(0), reader.GetDecimal(1), recent, previous, change, null, null, 0));
            total = reader.GetInt32(5);
        }

        if (rows.Count == 0 && offset > 0) total = await CountAsync(connection, tenant, search, previous7, month, cancellationToken);
        return new Page(rows, total);
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, string tenant, string? search, DateOnly previous7, DateOnly month, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(DISTINCT service_name)::int FROM service_costs_service_daily
            WHERE tenant_id = $1 AND day >= least($2, $3) AND buckets > 0 AND ($4::text IS NULL OR strpos(lower(service_name), lower($4)) > 0)
            """, connection);
        PostgresConsoleQueries.Add(command, tenant, previous7, month);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)search ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
