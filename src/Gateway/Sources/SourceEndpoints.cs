using System.Globalization;
using System.Text.Json;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Sources;

/// <summary>
/// GET /api/cloudsentinel/sources: every configured API source and its status.
/// POST /api/cloudsentinel/sources/{tenant}/{source}/backfill?from=DATE&amp;to=DATE: polls the source one
/// UTC day at a time over [from, to] (both dates included), answering one NDJSON line per day as it goes.
/// </summary>
public static class SourceEndpoints
{
    public const string Path = "/api/cloudsentinel/sources";

    public static IServiceCollection AddCostSourceStatus(this IServiceCollection services)
    {
        services.AddSingleton<SourceGauges>();
        services.AddSingleton<SourceStatusPoller>();
        return services.AddHostedService(sp => sp.GetRequiredService<SourceStatusPoller>());
    }

    public static void MapSources(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, async (HttpContext http, IClusterClient client, SourceGauges gauges) =>
        {
            var statuses = await client.GetGrain<ISourceCatalogGrain>(0).GetStatuses();
            gauges.Apply(statuses);
            var principal = http.Principal();
            return Results.Json(new { sources = principal.IsAdmin ? statuses : [.. statuses.Where(s => s.Tenant == principal.Tenant)] });
        }).RequireRole(ApiPrincipal.ReadRole);

        routes.MapPost(Path + "/{tenant}/{source}/backfill", BackfillAsync).RequireRole(ApiPrincipal.IngestRole);
    }

    private static async Task BackfillAsync(HttpContext http, string tenant, string source, string? from, string? to,
        IClusterClient client, IOptions<IngestLimits> limits, TimeProvider clock, ILogger<SourceStatusPoller> logger)
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;
        if (!TryDate(from, out var first) || !TryDate(to, out var last))
        {
            await ApiProblem.Ingest(StatusCodes.Status400BadRequest, "from and to are required UTC dates, yyyy-MM-dd (both included)", 0, 0, []).ExecuteAsync(http);
            return;
        }

        if (last < first || last > today)
        {
            await ApiProblem.Ingest(StatusCodes.Status400BadRequest, $"need from <= to <= today ({today:yyyy-MM-dd} UTC); got {first:yyyy-MM-dd} .. {last:yyyy-MM-dd}", 0, 0, []).ExecuteAsync(http);
            return;
        }

        if (first < today - limits.Value.MaxAge)
        {
            await ApiProblem.Ingest(StatusCodes.Status400BadRequest,
                $"from {first:yyyy-MM-dd} is older than {limits.Value.MaxAge.TotalDays:0} days (Ingest:MaxAge), which the pipeline does not keep", 0, 0, []).ExecuteAsync(http);
            return;
        }

        var statuses = await client.GetGrain<ISourceCatalogGrain>(0).GetStatuses();
        if (!statuses.Any(s => s.Tenant == tenant && s.Name == source))
        {
            var known = string.Join(", ", statuses.Where(s => s.Tenant == tenant).Select(s => s.Name));
            await ApiProblem.Ingest(StatusCodes.Status404NotFound, $"no source '{source}' is configured for tenant '{tenant}' (configured: {(known.Length == 0 ? "none" : known)})", 0, 0, []).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "application/x-ndjson";
        var poller = client.GetGrain<ICostSourcePollerGrain>(ServiceKey.Format(tenant, source));
        int days = 0, records = 0, apiCalls = 0;
        decimal cost = 0;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            // One day per call: each call stays short, and a failure names the day to resume from.
            var report = await poller.Backfill(day, day.AddDays(1));
            apiCalls += report.ApiCalls;
            if (!report.Succeeded)
            {
                logger.LogWarning("Backfill of {Tenant}/{Source} failed on {Day:yyyy-MM-dd}: {Error}", tenant, source, day, report.Error);
                await Line(http, new { done = true, succeeded = false, day = Day(day), error = report.Error, stopped = report.Stopped, days, records, costUsd = cost, apiCalls });
                return;
            }

            days++;
            records += report.Records;
            cost += report.CostUsd;
            logger.LogInformation("Backfill of {Tenant}/{Source}: {Day:yyyy-MM-dd} gave {Records} records", tenant, source, day, report.Records);
            await Line(http, new { day = Day(day), records = report.Records, rejectedRows = report.RejectedRows, costUsd = report.CostUsd, apiCalls = report.ApiCalls });
        }

        await Line(http, new { done = true, succeeded = true, days, records, costUsd = cost, apiCalls });
    }

    private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool TryDate(string? text, out DateTime date)
    {
        var ok = DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date);
        date = DateTime.SpecifyKind(date, DateTimeKind.Utc);
        return ok;
    }

    private static async Task Line(HttpContext http, object value)
    {
        await http.Response.WriteAsync(JsonSerializer.Serialize(value) + "\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
