using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion.Backpressure;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// GET /api/cloudsentinel/ingest-status: how far applying is behind what was acknowledged, for the
/// console's status line and for clients that want to pace themselves. The same for every tenant
/// and every gateway (it is PostgreSQL's), so it names no tenant's data.
/// </summary>
public static class IngestStatusEndpoint
{
    public sealed record IngestStatus(
        bool Durable, double ApplyLagSeconds, double MaxApplyLagSeconds, long BacklogMessages, long MaxBacklogMessages,
        double DrainPerSecond, bool Refusing, int RetryAfterSeconds, string? Reason);

    public static void MapIngestStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(TokenAuthentication.ApiPrefix + "/ingest-status", async (IngestBackpressure backpressure, CancellationToken cancellationToken) =>
        {
            await backpressure.CheckAsync(cancellationToken);
            var (reading, drain, _, pressure) = backpressure.Current;
            var options = backpressure.Options;
            return Results.Json(new IngestStatus(
                reading is not null, Math.Round(reading?.ApplyLagSeconds ?? 0, 1), options.MaxApplyLagSeconds, reading?.Backlog ?? 0, options.MaxBacklogMessages,
                Math.Round(drain), pressure.Refuse, (int)Math.Ceiling(pressure.RetryAfter.TotalSeconds), pressure.Reason));
        }).RequireRole(ApiPrincipal.ReadRole);
    }
}
