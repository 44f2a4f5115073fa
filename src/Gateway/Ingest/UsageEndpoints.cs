using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>POST /api/cloudsentinel/ingest/usage: a JSON array or NDJSON of pod usage records.</summary>
public static class UsageEndpoints
{
    public static void MapUsageIngest(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/cloudsentinel/ingest/usage", async (HttpContext http, UsageIngestor ingestor, IOptions<IngestLimits> limits) =>
        {
            var body = await RequestBody.ReadAsync(http, limits.Value.MaxBodyBytes);
            if (body.Problem is { } problem) return problem;

            var parse = UsageRecordJson.Parse(body.Bytes, limits.Value.MaxRecords);
            if (parse.Fatal is { } fatal) return IngestEndpoints.Unreadable(fatal, parse.Records.Count);
            if (IngestEndpoints.ForeignTenant(http, parse.Records.Select(r => r.Tenant)) is { } forbidden) return forbidden;

            var outcome = await ingestor.IngestAsync(parse.Records, parse.Errors, http.RequestAborted);
            return IngestEndpoints.ToResult(outcome, limits.Value.MaxReportedErrors);
        }).RequireRole(ApiPrincipal.IngestRole).RequireRateLimiting(IngestRateLimits.Policy)
            .WithBackpressure();
    }
}
