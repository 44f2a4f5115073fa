using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>How the pod usage of one tenant's cluster is read from that cluster's Prometheus.</summary>
public sealed record KubernetesUsageOptions : IApiSourceOptions
{
    public required string Tenant { get; init; }

    /// <summary>The cluster name the usage is reported under; it must match the cluster tag of the cluster's bill.</summary>
    public required string ClusterName { get; init; }

    /// <summary>The Prometheus base URL (the one whose <c>/api/v1/query_range</c> answers), e.g. http://prometheus.monitoring:9090/.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>A file holding a bearer token, read for every request so a rotated token is picked up.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>Basic auth user; the password is read from <see cref="BasicAuthPasswordFile"/>.</summary>
    public string? BasicAuthUser { get; init; }

    public string? BasicAuthPasswordFile { get; init; }

    /// <summary>
    /// Pod labels that name the service, first present wins; then <see cref="ServiceFallback"/>.
    /// Prometheus sees a pod label <c>a.b/c</c> as <c>label_a_b_c</c> on <c>kube_pod_labels</c>.
    /// </summary>
    public IReadOnlyList<string> ServiceLabels { get; init; } = ["app.kubernetes.io/name", "app"];

    /// <summary><c>namespace</c> (default): a pod without a service label is charged to its namespace; <c>owner</c>: to its owning workload (<c>kube_pod_owner</c>).</summary>
    public string ServiceFallback { get; init; } = Namespace;

    /// <summary>
    /// Label matchers added to every selector, for a Prometheus that holds several clusters
    /// (e.g. <c>cluster="prod-1"</c>); empty for a cluster's own Prometheus.
    /// </summary>
    public string Selector { get; init; } = "";

    /// <summary>
    /// Read CPU and memory from the per-pod series of prometheus/cluster-rules/kubernetes-usage.yml
    /// (cheaper on large clusters). The recorded series carry namespace and pod only, so no <see cref="Selector"/>.
    /// </summary>
    public bool RecordingRules { get; init; }

    /// <summary>Most HTTP calls of one poll, retries included. A poll makes <see cref="KubernetesUsageQueries.Count"/> queries, whatever the pods and hours.</summary>
    public int RequestBudget { get; init; } = 60;

    public RetryOptions Retry { get; init; } = new();

    public string Source { get; init; } = "prometheus-kubernetes";

    public const string Namespace = "namespace";
    public const string Owner = "owner";

    public void Validate()
    {
        if (Names.CheckTenant(Tenant) is { } problem) throw new ArgumentException($"Kubernetes.Tenant {problem}");
        if (string.IsNullOrWhiteSpace(ClusterName)) throw new ArgumentException("Kubernetes.ClusterName is required");
        if (ServiceLabels.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Kubernetes.ServiceLabels must not contain blank names");
        if (ServiceFallback is not (Namespace or Owner)) throw new ArgumentException($"Kubernetes.ServiceFallback '{ServiceFallback}' is not one of namespace, owner");
        if (BearerTokenFile is not null && BasicAuthUser is not null) throw new ArgumentException("Kubernetes: give BearerTokenFile or BasicAuthUser, not both");
        if (BasicAuthUser is not null && BasicAuthPasswordFile is null) throw new ArgumentException("Kubernetes.BasicAuthPasswordFile is required with BasicAuthUser");
        if (Selector.Contains('{') || Selector.Contains('}')) throw new ArgumentException("Kubernetes.Selector holds label matchers only, without braces: cluster=\"prod-1\"");
        if (RecordingRules && Selector.Length > 0) throw new ArgumentException("Kubernetes: the recorded series carry no cluster label; use a Selector or RecordingRules, not both");
        if (RequestBudget < 1) throw new ArgumentException("Kubernetes.RequestBudget must be at least 1");
        Retry.Validate();
    }
}
