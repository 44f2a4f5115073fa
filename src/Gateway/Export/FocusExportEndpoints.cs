using CloudSentinel.Connectors;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using Npgsql;

namespace CloudSentinel.Gateway.Export;

/// <summary>
/// GET /api/cloudsentinel/export/focus?tenant=T&amp;from=..&amp;to=..[&amp;format=csv|parquet]: the tenant's
/// hourly buckets as a FOCUS 1.3 file, streamed as it is read. Needs the <c>read</c> role for the tenant.
/// </summary>
public static class FocusExportEndpoints
{
    public const string Path = "/api/cloudsentinel/export/focus";

    public static void MapFocusExport(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, async (HttpContext http, string? tenant, string? from, string? to, string? format, IServiceProvider services, ILogger<ServiceCostReader> logger) =>
        {
            var problems = new List<string>();
            if (Names.CheckTenant(tenant) is { } tenantProblem) problems.Add($"tenant {tenantProblem}");
            var start = Time(from, "from", problems);
            var end = Time(to, "to", problems);
            if (start is { } s && end is { } e && e <= s) problems.Add("to must be after from");
            FocusExportFormat? chosen = (format ?? "csv").ToLowerInvariant() switch
            {
                "csv" => FocusExportFormat.Csv,
                "parquet" => FocusExportFormat.Parquet,
                _ => null,
            };
            if (chosen is null) problems.Add($"format '{format}' is not csv or parquet");
            if (problems.Count > 0) return Results.Json(new ErrorResponse(string.Join("; ", problems)), statusCode: StatusCodes.Status400BadRequest);

            if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
            {
                return Results.Json(new ErrorResponse("the export reads service_costs in PostgreSQL; set ConnectionStrings__Postgres on the gateway"),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var extension = chosen == FocusExportFormat.Parquet ? "parquet" : "csv";
            http.Response.ContentType = chosen == FocusExportFormat.Parquet ? "application/vnd.apache.parquet" : "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"focus-1.3-{tenant}-{start:yyyyMMddTHHmm}-{end:yyyyMMddTHHmm}.{extension}\"";
            var ct = http.RequestAborted;
            await using var writer = FocusExportWriter.Create(chosen!.Value, http.Response.Body);
            var money = 0m;
            await foreach (var line in new ServiceCostReader(dataSource).ReadAsync(tenant!, start!.Value, end!.Value, ct))
            {
                money += line.CostUsd;
                foreach (var row in FocusExportRows.From(tenant!, line))
                {
                    FocusExportRows.Check(row);
                    await writer.WriteAsync(row, ct);
                }
            }

            await writer.CompleteAsync(ct);
            logger.LogInformation("FOCUS export for {Tenant} [{From:O}, {To:O}) as {Format}: {Rows} rows, {CostUsd} USD", tenant, start, end, extension, writer.Rows, money);
            return Results.Empty;
        }).RequireRole(ApiPrincipal.ReadRole);
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
