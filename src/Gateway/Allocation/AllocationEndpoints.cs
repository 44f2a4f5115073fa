using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway.Allocation;

/// <summary>
/// GET /api/cloudsentinel/allocation?tenant=T&amp;cluster=C&amp;from=..&amp;to=..: each hour's split of a
/// cluster's shared cost with the inputs it came from, so a user can see why a service was charged.
/// </summary>
public static class AllocationEndpoints
{
    /// <summary>A week of hours: enough to explain a bill, small enough for one response of a large cluster.</summary>
    public const int MaxHours = 168;

    public static void MapAllocation(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cloudsentinel/allocation", async (string? tenant, string? cluster, string? from, string? to, IClusterClient client) =>
        {
            var problems = new List<string>();
            if (Names.CheckTenant(tenant) is { } tenantProblem) problems.Add($"tenant {tenantProblem}");
            if (string.IsNullOrWhiteSpace(cluster)) problems.Add("cluster is required");
            var start = Timestamp(from, "from", required: true, problems);
            var end = Timestamp(to, "to", required: false, problems) ?? start?.AddHours(1);
            if (start is { } s && end is { } e)
            {
                if (e <= s) problems.Add("to must be after from");
                else if (e - s > TimeSpan.FromHours(MaxHours)) problems.Add($"the range is longer than {MaxHours} hours; ask for less");
            }

            if (problems.Count > 0)
            {
                return ApiProblem.Of(StatusCodes.Status400BadRequest, string.Join("; ", problems));
            }

            var grain = client.GetGrain<IClusterAllocationGrain>(ServiceKey.Format(tenant!, cluster!.Trim()));
            return Results.Json(await grain.GetAllocation(start!.Value, end!.Value));
        }).RequireRole(ApiPrincipal.ReadRole);
    }

    private static DateTime? Timestamp(string? text, string name, bool required, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) problems.Add($"{name} is required (RFC 3339, e.g. 2026-11-25T14:00:00Z)");
            return null;
        }

        if (JsonRecords.TryParseRfc3339(text, out var value)) return value;
        problems.Add($"{name} \"{text}\" is not an RFC 3339 timestamp with an offset");
        return null;
    }
}
