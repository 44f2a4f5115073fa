using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using Npgsql;

namespace CloudSentinel.Gateway;

/// <summary>GET /api/cloudsentinel/anomalies?tenant=T&amp;from=..&amp;to=.. — the anomalous hours recorded in cost_anomalies.</summary>
public static class AnomalyEndpoints
{
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    public static void MapAnomalies(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cloudsentinel/anomalies", async (string? tenant, string? from, string? to, string? service, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (Names.CheckTenant(tenant) is { } tenantProblem) return ApiProblem.Invalid("tenant", tenantProblem);
            var now = DateTime.UtcNow;
            if (!TryTime(from, now.AddDays(-7), out var fromUtc)) return ApiProblem.Invalid("from", $"'{from}' is not an RFC 3339 timestamp");
            if (!TryTime(to, now.AddHours(1), out var toUtc)) return ApiProblem.Invalid("to", $"'{to}' is not an RFC 3339 timestamp");
            if (toUtc <= fromUtc) return ApiProblem.Invalid("to", "must be after from");
            if (toUtc - fromUtc > MaxRange) return ApiProblem.Invalid("from", $"the range is longer than {MaxRange.TotalDays:0} days");
            if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
            {
                return ApiProblem.Of(StatusCodes.Status503ServiceUnavailable, "anomaly history is kept in PostgreSQL; set ConnectionStrings__Postgres on the gateway");
            }

            await using var command = dataSource.CreateCommand("""
                SELECT "timestamp", service_name, cost_usd, expected_cost, zscore, direction, reason, detected_at
                FROM cost_anomalies
                WHERE tenant_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 AND ($4::text IS NULL OR service_name = $4)
                ORDER BY "timestamp" DESC, service_name
                LIMIT 10000
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = fromUtc });
            command.Parameters.Add(new NpgsqlParameter { Value = toUtc });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)service ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            var rows = new List<AnomalyResponse>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new AnomalyResponse(
                    DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3),
                    reader.GetDouble(4), reader.GetString(5), reader.GetString(6), DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc)));
            }

            return Results.Json(rows);
        }).RequireRole(ApiPrincipal.ReadRole);
    }

    private static bool TryTime(string? text, DateTime fallback, out DateTime utc)
    {
        if (string.IsNullOrEmpty(text))
        {
            utc = fallback;
            return true;
        }

        return JsonRecords.TryParseRfc3339(text, out utc);
    }

    public sealed record AnomalyResponse(DateTime Timestamp, string ServiceName, decimal CostUsd, decimal ExpectedCost, double Zscore, string Direction, string Reason, DateTime DetectedAt);
}
