using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage.Queries;

/// <summary>Reads <c>cost_anomalies</c> by its (tenant, hour) order, bounded to 10,000 rows whatever the range.</summary>
public sealed class PostgresAnomalyQueries(NpgsqlDataSource dataSource) : IAnomalyQueries
{
    public async Task<IReadOnlyList<RecordedAnomaly>> ListAsync(string tenant, DateTime from, DateTime to, string? service, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "timestamp", service_name, cost_usd, expected_cost, zscore, direction, reason, detected_at
            FROM cost_anomalies
            WHERE tenant_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 AND ($4::text IS NULL OR service_name = $4)
            ORDER BY "timestamp" DESC, service_name
            LIMIT 10000
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)service ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var rows = new List<RecordedAnomaly>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RecordedAnomaly(
                DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3),
                reader.GetDouble(4), reader.GetString(5), reader.GetString(6), DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc)));
        }

        return rows;
    }
}
