using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using Microsoft.AspNetCore.Http.Features;
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
                return Results.Json(
                    new IngestResponse.Error($"forbidden: record {index} is for tenant '{tenant}' but the token is for '{principal.Tenant}'; nothing from this request was applied",
                        index + 1, 1, [new IngestResponse.ErrorItem(index, "tenant", $"the token is for tenant '{principal.Tenant}'")]),
                    statusCode: StatusCodes.Status403Forbidden);
            }

            index++;
        }

        return null;
    }

    /// <summary>400 for a body that could not be read to the end: nothing from it is applied.</summary>
    public static IResult Unreadable(IngestError fatal, int recordsRead) =>
        Results.Json(
            new IngestResponse.Error($"{fatal}; nothing from this request was applied", recordsRead, recordsRead, [Describe(fatal)]),
            statusCode: StatusCodes.Status400BadRequest);

    public static IResult ToResult(IngestOutcome outcome, int maxReportedErrors)
    {
        if (outcome.IsAccepted)
        {
            return Results.Json(new IngestResponse.Ok(outcome.Records, outcome.Services, outcome.Buckets));
        }

        var message = $"{outcome.RejectedRecords} of {outcome.Records} records were rejected; nothing from this request was applied. " +
                      $"First: {outcome.Errors[0]}";
        return Results.Json(
            new IngestResponse.Error(message, outcome.Records, outcome.RejectedRecords, outcome.Errors.Take(maxReportedErrors).Select(Describe).ToArray()),
            statusCode: StatusCodes.Status400BadRequest);
    }

    private static IngestResponse.ErrorItem Describe(IngestError e) => new(e.Record, e.Field, e.Reason);
}

public static class IngestResponse
{
    public sealed record Ok(int Accepted, int Services, int Buckets);

    public sealed record Error(string Message, int Records, int Rejected, ErrorItem[] Errors);

    public sealed record ErrorItem(long Record, string Field, string Reason);
}

/// <summary>
/// Reads a request body up to a limit, answering 413 with a clear message beyond it. An oversized
/// body is read to its end and discarded (up to <see cref="DrainLimit"/>), so that the client reads
/// the 413 instead of a reset connection.
/// </summary>
public static class RequestBody
{
    public const long DrainLimit = CostBodyReader.DrainLimit;

    public sealed record Read(ReadOnlyMemory<byte> Bytes, IResult? Problem);

    /// <summary>The limit is enforced by the readers, so that the client gets our message instead of a reset connection.</summary>
    public static void LiftServerLimit(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = null;
    }

    public static IResult TooLarge(long maxBytes) => Results.Json(
        new IngestResponse.Error($"the request body is larger than the limit of {maxBytes} bytes ({maxBytes / (1024 * 1024)} MiB); split it into smaller batches", 0, 0, []),
        statusCode: StatusCodes.Status413PayloadTooLarge);

    public static async Task<Read> ReadAsync(HttpContext http, long maxBytes)
    {
        LiftServerLimit(http);
        var tooLarge = TooLarge(maxBytes);
        var declared = http.Request.ContentLength;
        var buffer = new MemoryStream(declared is > 0 && declared <= maxBytes ? (int)declared : 64 * 1024);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            total += read;
            if (total <= maxBytes) buffer.Write(chunk, 0, read);
            else if (total > DrainLimit)
            {
                // Past this, the client is not going to stop by itself; drop the connection.
                http.Abort();
                break;
            }
        }

        return total > maxBytes
            ? new Read(ReadOnlyMemory<byte>.Empty, tooLarge)
            : new Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }
}
