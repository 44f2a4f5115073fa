using System.Globalization;
using CloudSentinel.Connectors;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Focus;

/// <summary>
/// The origin charges of a tenant's exported split rows, read from service_costs rather than from the file:
/// a cluster charge (cluster, hour, cost type, breakdown, account, provider) costs the sum of its shares and
/// is one hour of the cluster; its Tags name the cluster.
/// </summary>
public static class FocusOrigins
{
    public static async Task<Func<IReadOnlyList<string?>, FocusOriginCharge?>> FromServiceCostsAsync(CloudSentinelStack stack, string tenant)
    {
        var rows = await stack.QueryRowsAsync($"""
            SELECT substr(source, 8), "timestamp", cost_type, breakdown, account_id, cloud_provider, sum(cost_usd)::text FROM service_costs
            WHERE tenant_id = '{tenant}' AND source LIKE 'shared:%' AND cost_usd <> 0 GROUP BY 1, 2, 3, 4, 5, 6
            """);
        var origins = rows.ToDictionary(
            r => string.Join('|', (string)r[0], FocusExportRows.Time((DateTime)r[1]), FocusExportRows.Time(((DateTime)r[1]).AddHours(1)),
                FocusExportRows.ServiceCategory((string)r[2]), (string)r[3], (string)r[4], FocusExportRows.ProviderName((string)r[5])),
            r => decimal.Parse((string)r[6], CultureInfo.InvariantCulture));
        return key =>
        {
            if (!origins.TryGetValue(string.Join('|', key.Select(v => v ?? "")), out var cost)) return null;
            return new FocusOriginCharge(
                new Dictionary<string, decimal?> { ["BilledCost"] = cost, ["EffectiveCost"] = cost, ["ListCost"] = cost, ["ContractedCost"] = cost, ["PricingQuantity"] = 1m },
                new Dictionary<string, string> { [FocusExportRows.ClusterTagKey] = key[0]! });
        };
    }
}
