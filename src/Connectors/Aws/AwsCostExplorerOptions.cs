using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>How one tenant's AWS account is polled through Cost Explorer GetCostAndUsage.</summary>
public sealed record AwsCostExplorerOptions : IApiSourceOptions
{
    public required string Tenant { get; init; }

    /// <summary>The account the costs are booked to (the payer or linked account the credentials read).</summary>
    public string AccountId { get; init; } = "";

    /// <summary>The Cost Explorer endpoint; tests point it at a local server.</summary>
    public Uri Endpoint { get; init; } = new("https://ce.us-east-1.amazonaws.com/");

    /// <summary>The signing region; Cost Explorer is served from us-east-1.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// Ask for HOURLY data. It must be enabled on the account and covers only the last 14 days, so
    /// older windows fall back to DAILY.
    /// </summary>
    public bool Hourly { get; init; }

    /// <summary>The cost metric (UnblendedCost, AmortizedCost, NetUnblendedCost, NetAmortizedCost, BlendedCost).</summary>
    public string Metric { get; init; } = "UnblendedCost";

    /// <summary>The cost allocation tag that names the application service; GetCostAndUsage groups by one tag only.</summary>
    public string ServiceTagKey { get; init; } = "application";

    /// <summary>Rules from the Cost Explorer SERVICE name to our cost type.</summary>
    public IReadOnlyList<CostTypeRule> ServiceCostTypes { get; init; } = ProviderServiceCostTypes.Defaults;

    /// <summary>USD per unit of any other currency the account is billed in.</summary>
    public IReadOnlyDictionary<string, decimal> UsdRates { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Most API calls of one poll, retries included. AWS charges USD 0.01 per request.</summary>
    public int RequestBudget { get; init; } = 20;

    public RetryOptions Retry { get; init; } = new();

    public string Source { get; init; } = "aws-cost-explorer";

    public void Validate()
    {
        if (Names.CheckTenant(Tenant) is { } problem) throw new ArgumentException($"Aws.Tenant {problem}");
        if (RequestBudget < 1) throw new ArgumentException("Aws.RequestBudget must be at least 1");
        if (string.IsNullOrWhiteSpace(ServiceTagKey)) throw new ArgumentException("Aws.ServiceTagKey must not be empty");
        Retry.Validate();
    }
}
