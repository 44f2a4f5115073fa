using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Configuration;

namespace CloudSentinel.Sources;

/// <summary>
/// One API source of one tenant, an entry of the configuration list "Sources". Options not given
/// keep the connector's defaults; credentials never appear here (each cloud's standard chain supplies them).
/// </summary>
public sealed class SourceDefinition
{
    public const string Aws = "aws";
    public const string Azure = "azure";
    public const string Gcp = "gcp";
    public const string Kubernetes = "kubernetes";

    public string Tenant { get; set; } = "";

    /// <summary>Unique within the tenant; same rules as a tenant name.</summary>
    public string Name { get; set; } = "";

    /// <summary>aws (Cost Explorer), azure (Cost Management Query), gcp (BigQuery billing export) or kubernetes (pod usage from the cluster's Prometheus).</summary>
    public string Kind { get; set; } = "";

    /// <summary>Replaces the cloud's API endpoint (a proxy, a sovereign cloud, a local test server); kubernetes: the Prometheus base URL (required).</summary>
    public string? Endpoint { get; set; }

    /// <summary>How often the rolling window is re-read (Orleans reminders fire at most once a minute).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The look-back of a kubernetes source when none is configured.</summary>
    public static readonly TimeSpan KubernetesWindow = TimeSpan.FromHours(6);

    /// <summary>How far back every poll re-reads, so late and restated costs heal themselves (kubernetes: 6 h unless set).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Delay of the first poll after the silo starts.</summary>
    public TimeSpan FirstPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    public int? RequestBudget { get; set; }

    /// <summary>USD per unit of a non-USD billing currency.</summary>
    public Dictionary<string, decimal>? UsdRates { get; set; }

    /// <summary>AWS and Azure: the tag that names the application service.</summary>
    public string? ServiceTagKey { get; set; }

    /// <summary>AWS: the account of the records; Azure: overrides the scope's subscription id.</summary>
    public string? AccountId { get; set; }

    /// <summary>AWS: ask for HOURLY data (must be enabled on the account; last 14 days only).</summary>
    public bool Hourly { get; set; }

    /// <summary>AWS: UnblendedCost, AmortizedCost, NetUnblendedCost, ...</summary>
    public string? Metric { get; set; }

    /// <summary>Azure: the queried scope, e.g. /subscriptions/{id}.</summary>
    public string? Scope { get; set; }

    /// <summary>Azure: ActualCost or AmortizedCost.</summary>
    public string? CostKind { get; set; }

    /// <summary>Azure: Cost or CostUSD.</summary>
    public string? CostColumn { get; set; }

    /// <summary>GCP: the project that runs the query job.</summary>
    public string? ProjectId { get; set; }

    /// <summary>GCP: the billing export table, project.dataset.table.</summary>
    public string? Table { get; set; }

    /// <summary>GCP: the dataset location (US, EU, ...).</summary>
    public string? Location { get; set; }

    /// <summary>GCP: labels that name the application service, first present wins; kubernetes: pod labels (default app.kubernetes.io/name, app).</summary>
    public string[]? ServiceLabelKeys { get; set; }

    /// <summary>Kubernetes: the cluster the usage is reported under (the value of the cluster tag on its bill).</summary>
    public string? ClusterName { get; set; }

    /// <summary>Kubernetes: a file holding the bearer token for Prometheus.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>Kubernetes: basic auth user for Prometheus; the password is in <see cref="BasicAuthPasswordFile"/>.</summary>
    public string? BasicAuthUser { get; set; }

    public string? BasicAuthPasswordFile { get; set; }

    /// <summary>Kubernetes: a PEM file of the CA that signed Prometheus' certificate (instead of the system's roots).</summary>
    public string? CaFile { get; set; }

    /// <summary>Kubernetes: namespace (default) or owner: what names a pod without a service label.</summary>
    public string? ServiceFallback { get; set; }

    /// <summary>Kubernetes: label matchers added to every query, for a Prometheus that holds several clusters (cluster="prod-1").</summary>
    public string? Selector { get; set; }

    /// <summary>Kubernetes: read CPU and memory from the recorded series of prometheus/cluster-rules/kubernetes-usage.yml.</summary>
    public bool RecordingRules { get; set; }

    /// <summary>Kubernetes: the connector options; what is not set keeps <see cref="KubernetesUsageOptions"/>' defaults.</summary>
    public KubernetesUsageOptions KubernetesOptions()
    {
        var defaults = new KubernetesUsageOptions { Tenant = Tenant, ClusterName = ClusterName?.Trim() ?? "", Endpoint = new Uri(Endpoint ?? "http://127.0.0.1:9090/") };
        return defaults with
        {
            // A base URL without the trailing slash would lose its last path segment when api/v1 is appended.
            Endpoint = defaults.Endpoint.AbsoluteUri.EndsWith('/') ? defaults.Endpoint : new Uri(defaults.Endpoint.AbsoluteUri + "/"),
            BearerTokenFile = BearerTokenFile,
            BasicAuthUser = BasicAuthUser,
            BasicAuthPasswordFile = BasicAuthPasswordFile,
            ServiceLabels = ServiceLabelKeys ?? defaults.ServiceLabels,
            ServiceFallback = ServiceFallback ?? defaults.ServiceFallback,
            Selector = Selector ?? defaults.Selector,
            RecordingRules = RecordingRules,
            RequestBudget = RequestBudget ?? defaults.RequestBudget,
        };
    }

    /// <summary>The poller grain's key.</summary>
    public string Key => ServiceKey.Format(Tenant, Name);

    public void Validate()
    {
        var where = $"Sources entry '{Tenant}/{Name}'";
        if (Names.CheckTenant(Tenant) is { } tenantProblem) throw new ArgumentException($"{where}: Tenant {tenantProblem}");
        if (Names.CheckTenant(Name) is { } nameProblem) throw new ArgumentException($"{where}: Name {nameProblem}");
        if (Kind is not (Aws or Azure or Gcp or Kubernetes)) throw new ArgumentException($"{where}: Kind '{Kind}' is not one of aws, azure, gcp, kubernetes");
        if (Endpoint is not null && !Uri.TryCreate(Endpoint, UriKind.Absolute, out _)) throw new ArgumentException($"{where}: Endpoint '{Endpoint}' is not an absolute URL");
        if (PollInterval < TimeSpan.FromMinutes(1)) throw new ArgumentException($"{where}: PollInterval must be at least 1 minute (the reminder minimum)");
        if (Window < TimeSpan.FromHours(1) || Window > TimeSpan.FromDays(31)) throw new ArgumentException($"{where}: Window must be 1 hour to 31 days");
        if (FirstPollDelay < TimeSpan.Zero) throw new ArgumentException($"{where}: FirstPollDelay must not be negative");
        if (Kind == Azure && string.IsNullOrWhiteSpace(Scope)) throw new ArgumentException($"{where}: Scope is required for azure (e.g. /subscriptions/{{id}})");
        if (Kind == Gcp && (string.IsNullOrWhiteSpace(ProjectId) || string.IsNullOrWhiteSpace(Table)))
        {
            throw new ArgumentException($"{where}: ProjectId and Table are required for gcp");
        }

        if (Kind == Kubernetes)
        {
            if (Endpoint is null || string.IsNullOrWhiteSpace(ClusterName)) throw new ArgumentException($"{where}: Endpoint (the Prometheus base URL) and ClusterName are required for kubernetes");
            if (Window > TimeSpan.FromDays(7)) throw new ArgumentException($"{where}: Window (the look-back) must be at most 7 days for kubernetes; backfill older hours");
            if (CaFile is not null && !File.Exists(CaFile)) throw new ArgumentException($"{where}: CaFile '{CaFile}' does not exist");
            KubernetesOptions().Validate();
        }
    }
}

/// <summary>The configured sources: configuration section "Sources", a list of <see cref="SourceDefinition"/>.</summary>
public sealed class SourcesOptions
{
    public const string Section = "Sources";

    public IReadOnlyList<SourceDefinition> Sources { get; init; } = [];

    public SourceDefinition? Find(string key) => Sources.FirstOrDefault(s => s.Key == key);

    public static SourcesOptions Bind(IConfiguration configuration)
    {
        var sources = configuration.GetSection(Section).Get<SourceDefinition[]>() ?? [];
        for (var i = 0; i < sources.Length; i++)
        {
            // A cluster's usage is final once its scrapes are in: hours, not the days a cloud bill takes to settle.
            if (sources[i].Kind == SourceDefinition.Kubernetes && configuration[$"{Section}:{i}:Window"] is null) sources[i].Window = SourceDefinition.KubernetesWindow;
        }

        foreach (var source in sources) source.Validate();
        var duplicate = sources.GroupBy(s => s.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Sources: '{duplicate.Key}' is configured {duplicate.Count()} times");
        return new SourcesOptions { Sources = sources };
    }
}
