using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>How one tenant's Azure scope is polled through the Cost Management Query API.</summary>
public sealed record AzureCostManagementOptions : IApiSourceOptions
{
    public required string Tenant { get; init; }

    /// <summary>The scope queried, e.g. "/subscriptions/{id}" or "/providers/Microsoft.Billing/billingAccounts/{id}".</summary>
    public required string Scope { get; init; }

    /// <summary>The account of the records; by default the scope's subscription or last segment.</summary>
    public string? AccountId { get; init; }

    /// <summary>Azure Resource Manager; tests point it at a local server.</summary>
    public Uri Endpoint { get; init; } = new("https://management.azure.com/");

    public string ApiVersion { get; init; } = "2023-11-01";

    /// <summary>ActualCost (as billed) or AmortizedCost (reservations spread over their term).</summary>
    public string CostKind { get; init; } = "ActualCost";

    /// <summary>The aggregated column: Cost (billing currency) or CostUSD.</summary>
    public string CostColumn { get; init; } = "Cost";

    /// <summary>The tag whose value names the application service.</summary>
    public string ServiceTagKey { get; init; } = "application";

    public IReadOnlyList<CostTypeRule> ServiceCostTypes { get; init; } = ProviderServiceCostTypes.Defaults;

    /// <summary>USD per unit of the billing currency when it is not USD.</summary>
    public IReadOnlyDictionary<string, decimal> UsdRates { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Most API calls of one poll, retries included; Cost Management allows few queries per minute per scope.</summary>
    public int RequestBudget { get; init; } = 30;

    public RetryOptions Retry { get; init; } = new();

    public string Source { get; init; } = "azure-cost-management";

    /// <summary>The OAuth scope of the ARM token.</summary>
    public string TokenScope { get; init; } = "https://management.azure.com/.default";

    public void Validate()
    {
        if (Names.CheckTenant(Tenant) is { } problem) throw new ArgumentException($"Azure.Tenant {problem}");
        if (!Scope.StartsWith('/')) throw new ArgumentException("Azure.Scope must start with '/', e.g. /subscriptions/{id}");
        if (RequestBudget < 1) throw new ArgumentException("Azure.RequestBudget must be at least 1");
        Retry.Validate();
    }

    /// <summary>The subscription id of a subscription scope, else the scope's last segment.</summary>
    public string EffectiveAccountId
    {
        get
        {
            if (AccountId is not null) return AccountId;
            var parts = Scope.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var subscription = Array.FindIndex(parts, p => p.Equals("subscriptions", StringComparison.OrdinalIgnoreCase));
            return subscription >= 0 && subscription + 1 < parts.Length ? parts[subscription + 1] : parts.LastOrDefault() ?? "";
        }
    }
}
