using System.Text.RegularExpressions;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>How one tenant's GCP costs are read from its standard Cloud Billing export table in BigQuery.</summary>
public sealed partial record GcpBillingExportOptions : IApiSourceOptions
{
    public required string Tenant { get; init; }

    /// <summary>The project the query job runs (and is billed) in.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The export table, "project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX".</summary>
    public required string Table { get; init; }

    /// <summary>The dataset's location (e.g. "US", "EU"); needed to read results of jobs outside the US.</summary>
    public string? Location { get; init; }

    /// <summary>The BigQuery REST root; tests point it at a local server.</summary>
    public Uri Endpoint { get; init; } = new("https://bigquery.googleapis.com/");

    /// <summary>Labels that name the application service, first present wins; keys match trimmed and ignoring case.</summary>
    public IReadOnlyList<string> ServiceLabelKeys { get; init; } = ["application", "app", "service"];

    /// <summary>
    /// Restrict the scan by _PARTITIONTIME (from one day before the window), which the standard export
    /// table is partitioned by; it keeps the bytes billed for each poll small.
    /// </summary>
    public bool FilterPartitions { get; init; } = true;

    public IReadOnlyList<CostTypeRule> ServiceCostTypes { get; init; } = ProviderServiceCostTypes.Defaults;

    /// <summary>USD per unit of the billing currency when it is not USD.</summary>
    public IReadOnlyDictionary<string, decimal> UsdRates { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Rows per result page.</summary>
    public int PageSize { get; init; } = 10_000;

    /// <summary>Most API calls of one poll, retries and job status checks included.</summary>
    public int RequestBudget { get; init; } = 50;

    /// <summary>How long one call waits server-side for the query to finish.</summary>
    public TimeSpan QueryWait { get; init; } = TimeSpan.FromSeconds(20);

    public RetryOptions Retry { get; init; } = new();

    public string Source { get; init; } = "gcp-billing-export";

    public void Validate()
    {
        if (Names.CheckTenant(Tenant) is { } problem) throw new ArgumentException($"Gcp.Tenant {problem}");
        if (!TablePattern().IsMatch(Table)) throw new ArgumentException($"Gcp.Table '{Table}' is not project.dataset.table");
        if (string.IsNullOrWhiteSpace(ProjectId)) throw new ArgumentException("Gcp.ProjectId must not be empty");
        if (ServiceLabelKeys.Count == 0) throw new ArgumentException("Gcp.ServiceLabelKeys must name at least one label");
        if (PageSize < 1 || RequestBudget < 1) throw new ArgumentException("Gcp.PageSize and Gcp.RequestBudget must be positive");
        Retry.Validate();
    }

    /// <summary>The table name is spliced into SQL (identifiers cannot be parameters), so only plain names pass.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_\-:.]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_\-$]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TablePattern();
}
