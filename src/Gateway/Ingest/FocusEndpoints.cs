using System.Globalization;
using System.Text;
using System.Text.Json;
using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Ingestion;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// POST /api/cloudsentinel/ingest/focus?tenant=T: a FOCUS export (CSV, gzip CSV or Parquet) streamed
/// through <see cref="FocusImporter"/>. Bad rows, and sums the ingest rules refuse (e.g. older than
/// Ingest:MaxAge), are left out and listed; the rest of the file loads as one batch. A file that
/// cannot be read as a whole loads nothing (400).
/// </summary>
public static class FocusEndpoints
{
    public const string Path = "/api/cloudsentinel/ingest/focus";

    public static void MapFocusIngest(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, async (HttpContext http, string? tenant, CostIngestor ingestor,
            IOptions<FocusIngestOptions> focus, IOptions<JsonOptions> json, ILogger<FocusImporter> logger) =>
        {
            if (Names.CheckTenant(tenant) is { } tenantProblem)
            {
                return ApiProblem.Ingest(StatusCodes.Status400BadRequest, $"query parameter tenant {tenantProblem}", 0, 0, [new(0, "tenant", tenantProblem)]);
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            {
                // Our own limit below answers with a clear message instead of a reset connection.
                sizeFeature.MaxRequestBodySize = null;
            }

            var maxBytes = focus.Value.MaxBodyBytes;
            if (http.Request.ContentLength > maxBytes) return TooLarge(maxBytes);

            var body = new LimitedReadStream(http.Request.Body, maxBytes);
            FocusImportResult result;
            try
            {
                result = await new FocusImporter(focus.Value.For(tenant)).ImportAsync(body, tenant!, cancellationToken: http.RequestAborted);
            }
            catch (FocusFileException e)
            {
                return ApiProblem.Ingest(StatusCodes.Status400BadRequest, $"the file cannot be read as FOCUS: {e.Message}; nothing from it was loaded", 0, 0, [new(e.Line, "file", e.Reason)]);
            }
            catch (BodyTooLargeException)
            {
                return TooLarge(maxBytes);
            }

            var ingest = await ingestor.IngestEachAsync(result.Records, "focus", http.RequestAborted);
            var response = Describe(tenant!, result, ingest);
            logger.LogInformation("FOCUS import for {Tenant}: {Rows} rows ({RowsRejected} rejected), {Bytes} bytes, {Records} records published, {RecordsRejected} refused",
                tenant, result.RowsRead, result.RowsRejected, body.BytesRead, ingest.Accepted.Count, ingest.Refused.Count);
            return NothingLoaded(result, ingest) ? NothingApplicable(response, json.Value.SerializerOptions) : Results.Json(response);
        }).RequireRole(ApiPrincipal.IngestRole).RequireRateLimiting(IngestRateLimits.Policy)
            .WithBackpressure();
    }

    /// <summary>A file of which nothing could be loaded is not a success, even if it was read to the end.</summary>
    private static bool NothingLoaded(FocusImportResult result, PartialIngest ingest) =>
        ingest.Accepted.Count == 0 && (result.RowsRejected > 0 || ingest.Refused.Count > 0);

    private static FocusImportResponse Describe(string tenant, FocusImportResult result, PartialIngest ingest)
    {
        var (outcome, accepted, rejected) = ingest;
        var costByProvider = accepted.GroupBy(r => r.Provider, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd), StringComparer.Ordinal);
        var rejectedRecords = rejected.Select(r => new FocusImportResponse.RejectedRecord(
            r.Record.ServiceName, r.Record.Provider, r.Record.CostType, r.Record.PeriodStart, r.Record.PeriodEnd, r.Record.CostUsd, r.Error.Field, r.Error.Reason)).ToArray();

        var summary = new StringBuilder((result with { Records = accepted, CostUsdByProvider = costByProvider }).Summary());
        if (rejectedRecords.Length > 0)
        {
            summary.AppendLine(CultureInfo.InvariantCulture, $"{rejectedRecords.Length} summed records refused by the ingest rules:");
            foreach (var r in rejectedRecords)
            {
                summary.AppendLine(CultureInfo.InvariantCulture, $"  {r.ServiceName} {r.CloudProvider} {r.CostType} {r.PeriodStart:yyyy-MM-dd'T'HH:mm'Z'}: {r.Field}: {r.Reason}");
            }
        }

        var firstReason = result.Errors.Select(e => $"line {e.Record}: {e.Field}: {e.Reason}")
            .Concat(rejectedRecords.Select(r => $"{r.ServiceName} {r.CloudProvider} {r.CostType} {r.PeriodStart:yyyy-MM-dd'T'HH:mm'Z'}: {r.Field}: {r.Reason}"))
            .FirstOrDefault();
        var message = NothingLoaded(result, ingest)
            ? $"nothing from the file could be loaded: {result.RowsRejected} rows and {rejected.Count} summed records were refused (see rejectedRows and rejectedRecords). First: {firstReason}"
            : $"loaded {accepted.Count} summed records from {result.RowsLoaded} of {result.RowsRead} rows; {result.RowsRejected} rows and {rejected.Count} summed records were refused";
        return new FocusImportResponse(message, tenant, result.Version.Label(), result.RowsRead, result.RowsLoaded, result.RowsRejected, result.RowsSuperseded,
            outcome.Records, outcome.Services, outcome.Buckets,
            rejectedRecords.Length, costByProvider,
            result.Errors.Select(e => new FocusImportResponse.RejectedRow(e.Record, e.Field, e.Reason)).ToArray(),
            rejectedRecords, summary.ToString());
    }

    private static IResult TooLarge(long maxBytes) =>
        ApiProblem.Ingest(StatusCodes.Status413PayloadTooLarge,
            $"the file is larger than the limit of {maxBytes} bytes (FocusIngest:MaxBodyBytes); split it by billing period or raise the limit; nothing from it was loaded",
            0, 0, [new(0, "file", $"larger than {maxBytes} bytes")]);

    /// <summary>
    /// 422: the report of a file of which nothing loaded, as a problem whose detail is the report's
    /// message and whose other members are the report's own (counts, rejectedRows, rejectedRecords).
    /// </summary>
    private static IResult NothingApplicable(FocusImportResponse response, JsonSerializerOptions json)
    {
        var report = JsonSerializer.SerializeToElement(response, json);
        return ApiProblem.Of(StatusCodes.Status422UnprocessableEntity, response.Message, report.EnumerateObject()
            .Where(m => m.Name != "message")
            .Select(m => new KeyValuePair<string, object?>(m.Name, m.Value)));
    }
}

/// <summary>The answer to a FOCUS import: what loaded, what it cost per provider, and what was left out and why.</summary>
/// <param name="FocusVersion">"1.0-1.2" or "1.3", recognised from the header.</param>
/// <param name="RowsSuperseded">FOCUS 1.3 origin charges left out because their split cost allocation rows in the file count instead.</param>
/// <param name="RejectedRows">Rows the file mapping refused, by CSV line (or Parquet row); at most MaxReportedErrors of them.</param>
/// <param name="RejectedRecords">Summed records the ingest rules refused (e.g. a period older than Ingest:MaxAge).</param>
public sealed record FocusImportResponse(
    string Message,
    string Tenant,
    string FocusVersion,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    long RowsSuperseded,
    int Records,
    int Services,
    int Buckets,
    int RecordsRejected,
    IReadOnlyDictionary<string, decimal> CostUsdByProvider,
    FocusImportResponse.RejectedRow[] RejectedRows,
    FocusImportResponse.RejectedRecord[] RejectedRecords,
    string Summary)
{
    public sealed record RejectedRow(long Line, string Field, string Reason);

    public sealed record RejectedRecord(string ServiceName, string CloudProvider, string CostType, DateTime PeriodStart, DateTime PeriodEnd, decimal CostUsd, string Field, string Reason);
}
