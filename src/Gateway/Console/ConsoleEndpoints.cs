using CloudSentinel.Anomalies;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway.Console;

/// <summary>
/// The read APIs the console is drawn from; any client with a read token may call them too.
/// GET /api/cloudsentinel/tenants (the tenants the caller may see), /summary?tenant=,
/// /services?tenant=&amp;q=&amp;sort=&amp;offset=&amp;limit=, /service?tenant=&amp;service=, /clusters?tenant=.
/// A cluster hour's split is the existing /allocation.
/// </summary>
public static class ConsoleEndpoints
{
    private const string Api = TokenAuthentication.ApiPrefix;

    public static IServiceCollection AddConsole(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<ConsoleOptions>(config, ConsoleOptions.Section, o => o.Validate());
        services.AddSingleton<ConsoleSessions>();
        // The same detector settings as the silo's, so the service page's expected line is the one the grains judge by.
        services.AddValidatedOptions<AnomalyOptions>(config, "Anomalies", o => o.Validate());
        services.AddSingleton(sp => new ConsoleQueries(sp.GetRequiredService<IConsoleQueries>(), sp.GetRequiredService<TimeProvider>(),
            new AnomalyDetector(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AnomalyOptions>>().Value)));

        return services;
    }

    public static void MapConsole(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ConsoleSessions>().Options.Enabled)
        {
            app.MapConsoleAssets();
            app.MapConsoleLogin();
        }

        app.MapGet(Api + "/tenants", async (HttpContext http, ConsoleQueries queries, CancellationToken cancellationToken) =>
        {
            var principal = http.Principal();
            if (!principal.IsAdmin) return Results.Json(new { tenants = new[] { principal.Tenant }, admin = false });
            return Results.Json(new { tenants = await queries.TenantsAsync(cancellationToken), admin = true });
        }).RequireRole(ApiPrincipal.ReadRole);

        app.MapGet(Api + "/summary", async (string? tenant, ConsoleQueries queries, CancellationToken cancellationToken) =>
            CheckTenant(tenant) ?? Results.Json(await queries.SummaryAsync(tenant!, cancellationToken)))
            .RequireRole(ApiPrincipal.ReadRole);

        app.MapGet(Api + "/services", async (string? tenant, string? q, string? sort, int? offset, int? limit, ConsoleQueries queries, CancellationToken cancellationToken) =>
        {
            if (CheckTenant(tenant) is { } problem) return problem;
            sort ??= "last7";
            if (!ServiceRanking.Sorts.ContainsKey(sort)) return ApiProblem.Invalid("sort", $"must be one of {string.Join(", ", ServiceRanking.Sorts.Keys)}");
            if (offset is < 0 or > 1_000_000) return ApiProblem.Invalid("offset", "must be between 0 and 1,000,000");
            if (limit is < 1 or > ConsoleQueries.MaxPageSize) return ApiProblem.Invalid("limit", $"must be between 1 and {ConsoleQueries.MaxPageSize}");
            if (q is { Length: > Names.MaxServiceNameLength }) return ApiProblem.Invalid("q", $"is longer than {Names.MaxServiceNameLength} characters");
            return Results.Json(await queries.ServicesAsync(tenant!, string.IsNullOrWhiteSpace(q) ? null : q.Trim(), sort, offset ?? 0, limit ?? 50, cancellationToken));
        }).RequireRole(ApiPrincipal.ReadRole);

        app.MapGet(Api + "/service", async (string? tenant, string? service, ConsoleQueries queries, CancellationToken cancellationToken) =>
        {
            if (CheckTenant(tenant) is { } problem) return problem;
            if (string.IsNullOrEmpty(service) || service.Length > Names.MaxServiceNameLength) return ApiProblem.Invalid("service", $"is required, at most {Names.MaxServiceNameLength} characters");
            return await queries.ServiceAsync(tenant!, service, cancellationToken) is { } detail
                ? Results.Json(detail)
                : ApiProblem.Of(StatusCodes.Status404NotFound, $"tenant '{tenant}' has no cost for service '{service}' in the last {ConsoleQueries.History.TotalDays:0} days", "service");
        }).RequireRole(ApiPrincipal.ReadRole);

        app.MapGet(Api + "/clusters", async (string? tenant, ConsoleQueries queries, CancellationToken cancellationToken) =>
            CheckTenant(tenant) ?? Results.Json(new { clusters = await queries.ClustersAsync(tenant!, cancellationToken) }))
            .RequireRole(ApiPrincipal.ReadRole);
    }

    private static IResult? CheckTenant(string? tenant) => Names.CheckTenant(tenant) is { } problem ? ApiProblem.Invalid("tenant", problem) : null;
}
