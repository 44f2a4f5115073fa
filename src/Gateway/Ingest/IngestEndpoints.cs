using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>POST /api/cloudsentinel/ingest: a JSON array or NDJSON of cost records.</summary>
public static class IngestEndpoints
{
    public static void MapIngest(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/cloudsentinel/ingest", async (HttpContext http, CostIngestor ingestor, IOptions<IngestLimits> limits) =>
        {
            // The body is read through one window, its records checked and folded into buckets as they arrive; none is kept past that.
            RequestBody.LiftServerLimit(http);
            var request = ingestor.Begin();
            var body = await CostBodyReader.ReadAsync(http.Request.Body, limits.Value.MaxBodyBytes, limits.Value.MaxRecords, request, http.RequestAborted);
            if (body.TooLarge)
            {
                if (body.Abandoned) http.Abort();
                return RequestBody.TooLarge(limits.Value.MaxBodyBytes);
            }

            var scan = body.Scan;
            if (scan.Fatal is { } fatal) return Unreadable(fatal, scan.Records);
            if (ForeignTenant(http, request.Tenants) is { } forbidden) return forbidden;

            var outcome = await ingestor.CommitAsync(request, scan.Errors, "http", http.RequestAborted);
            return ToResult(outcome, limits.Value.MaxReportedErrors);
        }).RequireRole(ApiPrincipal.IngestRole).RequireRateLimiting(IngestRateLimits.Policy)
            .WithBackpressure();
    }

    /// <summary>
    /// 403 when a tenant token sends any record of another tenant: the whole request is refused and
    /// nothing from it is applied. A missing or malformed tenant is left to validation (400).
    /// </summary>
    public static IResult? ForeignTenant(HttpContext http, IEnumerable<string?> tenants)
    {
        var principal = http.Principal();
        if (principal.IsAdmin) return null;
        var index = 0;
        foreach (var tenant in tenants)
        {
            if (!string.IsNullOrEmpty(tenant) && tenant != principal.Tenant)
            {
                return ApiProblem.Ingest(StatusCodes.Status403Forbidden,
                    $"forbidden: record {index} is for tenant '{tenant}' but the token is for '{principal.Tenant}'; nothing from this request was applied",
                    index + 1, 1, [new IngestResponse.ErrorItem(index, "tenant", $"the token is for tenant '{principal.Tenant}'")]);
            }

            index++;
        }

        return null;
    }

    /// <summary>400 for a body that could not be read to the end: nothing from it is applied.</summary>
    public static IResult Unreadable(IngestError fatal, int recordsRead) =>
        ApiProblem.Ingest(StatusCodes.Status400BadRequest, $"{fatal}; nothing from this request was applied", recordsRead, recordsRead, [Describe(fatal)]);

    public static IResult ToResult(IngestOutcome outcome, int maxReportedErrors)
    {
        if (outcome.IsAccepted)
        {
            return Results.Json(new IngestResponse.Ok(outcome.Records, outcome.Services, outcome.Buckets));
        }

        var message = $"{outcome.RejectedRecords} of {outcome.Records} records were rejected; nothing from this request was applied. " +
                      $"First: {outcome.Errors[0]}";
        return ApiProblem.Ingest(StatusCodes.Status400BadRequest, message, outcome.Records, outcome.RejectedRecords,
            outcome.Errors.Take(maxReportedErrors).Select(Describe).ToArray());
    }

    private static IngestResponse.ErrorItem Describe(IngestError e) => new(e.Record, e.Field, e.Reason);
}
