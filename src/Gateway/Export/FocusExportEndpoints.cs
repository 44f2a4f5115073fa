using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage.Queries;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Export;

/// <summary>
/// GET /api/cloudsentinel/export/focus?tenant=T&amp;from=..&amp;to=..[&amp;format=csv|parquet]: the tenant's
/// hourly buckets as a FOCUS 1.3 file, streamed as it is read, with a <c>Link: …; rel="describedby"</c>
/// header to its metadata; GET …/export/focus/metadata with the same parameters: the FOCUS 1.3 metadata
/// (schema, recency, supported features). Both need the <c>read</c> role for the tenant.
/// </summary>
public static class FocusExportEndpoints
{
    public const string Path = "/api/cloudsentinel/export/focus";
    public const string MetadataPath = Path + "/metadata";

    private sealed record Request(string Tenant, DateTime From, DateTime To, FocusExportFormat Format)
    {
        public string Extension => Format == FocusExportFormat.Parquet ? "parquet" : "csv";
    }

    public static void MapFocusExport(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, async (HttpContext http, string? tenant, string? from, string? to, string? format, IServiceCostReader reader, ILogger<IServiceCostReader> logger) =>
        {
            if (Parse(tenant, from, to, format) is not { } request) return Problem(tenant, from, to, format);
            var lines = reader.ReadAsync(request.Tenant, request.From, request.To, http.RequestAborted);
            http.Response.ContentType = request.Format == FocusExportFormat.Parquet ? "application/vnd.apache.parquet" : "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"focus-1.3-{request.Tenant}-{request.From:yyyyMMddTHHmm}-{request.To:yyyyMMddTHHmm}.{request.Extension}\"";
            http.Response.Headers.Link = $"<{MetadataPath}{http.Request.QueryString}>; rel=\"describedby\"; type=\"application/json\"";
            var ct = http.RequestAborted;
            await using var writer = FocusExportWriter.Create(request.Format, http.Response.Body);
            var money = 0m;
            await foreach (var row in FocusExportRows.FromAsync(request.Tenant, lines, ct))
            {
                FocusExportRows.Check(row);
                money += decimal.Parse(row[Focus13Schema.Index["BilledCost"]]!, System.Globalization.CultureInfo.InvariantCulture);
                await writer.WriteAsync(row, ct);
            }

            await writer.CompleteAsync(ct);
            logger.LogInformation("FOCUS export for {Tenant} [{From:O}, {To:O}) as {Format}: {Rows} rows, {CostUsd} USD",
                request.Tenant, request.From, request.To, request.Extension, writer.Rows, money);
            return Results.Empty;
        }).RequireRole(ApiPrincipal.ReadRole);

        routes.MapGet(MetadataPath, async (HttpContext http, string? tenant, string? from, string? to, string? format, IServiceCostReader reader,
            IOptions<FocusExportOptions> options, TimeProvider clock) =>
        {
            if (Parse(tenant, from, to, format) is not { } request) return Problem(tenant, from, to, format);
            var lastUpdated = await reader.LastUpdatedAsync(request.Tenant, request.From, request.To, http.RequestAborted);
            var metadata = FocusExportMetadata.Build(request.Tenant, request.From, request.To, request.Format, clock.GetUtcNow().UtcDateTime,
                TimeSpan.FromHours(options.Value.CompleteAfterHours), lastUpdated);
            return Results.Text(FocusExportMetadata.Serialize(metadata), "application/json");
        }).RequireRole(ApiPrincipal.ReadRole);
    }

    private static Request? Parse(string? tenant, string? from, string? to, string? format) =>
        Check(tenant, from, to, format, out var start, out var end, out var chosen).Count == 0 ? new Request(tenant!, start, end, chosen) : null;

    private static IResult Problem(string? tenant, string? from, string? to, string? format) =>
        ApiProblem.Of(StatusCodes.Status400BadRequest, string.Join("; ", Check(tenant, from, to, format, out _, out _, out _)));

    private static List<string> Check(string? tenant, string? from, string? to, string? format, out DateTime start, out DateTime end, out FocusExportFormat chosen)
    {
        var problems = new List<string>();
        if (Names.CheckTenant(tenant) is { } tenantProblem) problems.Add($"tenant {tenantProblem}");
        start = Time(from, "from", problems) ?? default;
        end = Time(to, "to", problems) ?? default;
        if (problems.Count == 0 && end <= start) problems.Add("to must be after from");
        FocusExportFormat? parsed = (format ?? "csv").ToLowerInvariant() switch
        {
            "csv" => FocusExportFormat.Csv,
            "parquet" => FocusExportFormat.Parquet,
            _ => null,
        };
        if (parsed is null) problems.Add($"format '{format}' is not csv or parquet");
        chosen = parsed ?? FocusExportFormat.Csv;
        return problems;
    }

    /// <summary>RFC 3339, or a UTC date (YYYY-MM-DD) meaning its midnight.</summary>
    private static DateTime? Time(string? text, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add($"{name} is required (RFC 3339 or YYYY-MM-DD)");
            return null;
        }

        if (JsonRecords.TryParseRfc3339(text, out var value)) return value;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var date))
        {
            return DateTime.SpecifyKind(date, DateTimeKind.Utc);
        }

        problems.Add($"{name} '{text}' is neither an RFC 3339 timestamp with an offset nor a date YYYY-MM-DD");
        return null;
    }
}
