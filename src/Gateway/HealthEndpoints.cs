using CloudSentinel.Storage.Queries;
using Orleans.Runtime;

namespace CloudSentinel.Gateway;

/// <summary>/healthz: the process is up. /readyz: the cluster answers, and PostgreSQL when configured.</summary>
public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => Results.Text("ok\n"));
        routes.MapGet("/readyz", async (IClusterClient client, IStorageReadiness storage, CancellationToken cancellationToken) =>
        {
            var problems = new List<string>();
            try
            {
                var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                if (hosts.Count == 0) problems.Add("cluster: no active silo");
            }
            catch (Exception ex)
            {
                problems.Add($"cluster: {ex.Message}");
            }

            try
            {
                await storage.CheckAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (Exception ex)
            {
                problems.Add($"postgres: {ex.Message}");
            }

            return problems.Count == 0
                ? Results.Text("ready\n")
                : ApiProblem.Of(StatusCodes.Status503ServiceUnavailable, "not ready: " + string.Join("; ", problems));
        });
    }
}
