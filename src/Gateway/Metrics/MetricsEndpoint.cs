using CloudSentinel.Gateway.Auth;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// GET /api/cloudsentinel/prometheus with a token that has the read role. The admin token sees every
/// series; a tenant token sees only the series labelled with its tenant, rendered from the tenant's own
/// registry (<see cref="TenantRegistries"/>), so its scrape costs what its series cost, whatever other
/// tenants hold. Operational series without a tenant label, such as the ingest log's, are the admin's.
/// </summary>
public static class MetricsEndpoint
{
    public static void MapMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapGet(GatewayApp.MetricsPath, (HttpContext http, TenantRegistries registries) =>
        {
            var contentType = PrometheusConstants.ExporterContentTypeValue.ToString();
            var principal = http.Principal();
            var registry = principal.IsAdmin ? registries.All : registries.Find(principal.Tenant!);
            return registry is null
                ? Results.Text("", contentType)
                : Results.Stream(stream => registry.CollectAndExportAsTextAsync(stream, http.RequestAborted), contentType);
        }).RequireRole(ApiPrincipal.ReadRole);
}
