using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway;

/// <summary>GET /api/cloudsentinel/anomalies?tenant=T&amp;from=..&amp;to=.. — the anomalous hours recorded in cost_anomalies.</summary>
public static class AnomalyEndpoints
{
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    public static void MapAnomalies(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cloudsentinel/anomalies", async (string? tenant, string? from, string? to, string? service, IAnomalyQueries anomalies, CancellationToken cancellationToken) =>
        {
            if (Names.CheckTenant(tenant) is { } tenantProblem) return ApiProblem.Invalid("tenant", tenantProblem);
            var now = DateTime.UtcNow;
            if (!TryTime(from, now.AddDays(-7), out var fromUtc)) return ApiProblem.Invalid("from", $"'{from}' is not an RFC 3339 timestamp");
            if (!TryTime(to, now.AddHours(1), out var toUtc)) return ApiProblem.Invalid("to", $"'{to}' is not an RFC 3339 timestamp");
            if (toUtc <= fromUtc) return ApiProblem.Invalid("to", "must be after from");
            if (toUtc - fromUtc > MaxRange) return ApiProblem.Invalid("from", $"the range is longer than {MaxRange.TotalDays:0} days");
            var rows = await anomalies.ListAsync(tenant!, fromUtc, toUtc, service, cancellationToken);
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
}
