using System.Text;
using CloudSentinel.Gateway.Auth;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// GET /api/cloudsentinel/prometheus with a token that has the read role. The admin token sees every
/// series; a tenant token sees only the series labelled with its tenant (operational series without a
/// tenant label, such as the ingest log's, are the admin's).
/// </summary>
public static class MetricsEndpoint
{
    public static void MapMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapGet(GatewayApp.MetricsPath, async (HttpContext http, CollectorRegistry registry) =>
        {
            var contentType = PrometheusConstants.ExporterContentTypeValue.ToString();
            var principal = http.Principal();
            if (principal.IsAdmin) return Results.Stream(stream => registry.CollectAndExportAsTextAsync(stream, http.RequestAborted), contentType);

            using var buffer = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(buffer, http.RequestAborted);
            return Results.Text(OnlyTenant(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), principal.Tenant!), contentType);
        }).RequireRole(ApiPrincipal.ReadRole);

    /// <summary>The exposition cut down to the samples with tenant="<paramref name="tenant"/>", each family's HELP and TYPE kept when a sample of it is.</summary>
    public static string OnlyTenant(string exposition, string tenant)
    {
        // Tenant names are [a-z0-9][a-z0-9_-]*, so the label needs no escaping and cannot be a prefix of another's.
        var label = $"tenant=\"{tenant}\"";
        var output = new StringBuilder();
        var headers = new List<string>();
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                if (line.StartsWith("# HELP ", StringComparison.Ordinal)) headers.Clear();
                headers.Add(line);
                continue;
            }

            var open = line.IndexOf('{');
            if (open < 0 || !HasLabel(line, open, label)) continue;
            foreach (var header in headers) output.Append(header).Append('\n');
            headers.Clear();
            output.Append(line).Append('\n');
        }

        return output.ToString();
    }

    private static bool HasLabel(string line, int open, string label)
    {
        var at = line.IndexOf(label, open, StringComparison.Ordinal);
        return at > 0 && line[at - 1] is '{' or ',';
    }
}
