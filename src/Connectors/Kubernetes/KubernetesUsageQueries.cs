using System.Text;

namespace CloudSentinel.Connectors;

/// <summary>
/// The PromQL a poll runs, one range query per quantity with a step of one hour, whatever the number
/// of pods and hours: the bound on a cluster-hour's cost. Each point of a query is evaluated at
/// <c>h + 1 h − 1 ms</c>, so its <c>[1h]</c> window holds exactly the samples stamped in the UTC hour
/// <c>[h, h + 1 h)</c>. docs/allocation.md ("Point CloudSentinel at your cluster") explains each one.
/// </summary>
/// <remarks>
/// Scrape gaps: a gauge's hour is the sum of its samples divided by the number of scrapes the hour
/// had (the most samples any series of that metric has in it), so a pod that lived half the hour
/// counts half, and a gap that hits every target (Prometheus or kube-state-metrics down) scales
/// numerator and denominator alike and loses nothing. A counter's hour is its <c>increase</c>,
/// which a gap inside the hour does not change.
/// </remarks>
public static class KubernetesUsageQueries
{
    public const string KubeStateMetrics = "deploy kube-state-metrics (v2.x) in the cluster and have this Prometheus scrape it";
    public const string Cadvisor = "have this Prometheus scrape every kubelet's cAdvisor endpoint (/metrics/cadvisor, e.g. the kubernetes-nodes-cadvisor job of the Prometheus Helm chart)";

    /// <summary>Bytes in a GiB: usage records count memory and storage in GiB-hours.</summary>
    public const long GiB = 1L << 30;

    /// <summary>Containers only: cAdvisor also reports each pod's cgroup (container="") and its pause container (POD).</summary>
    private const string Containers = "container!=\"\",container!=\"POD\"";

    public static IReadOnlyList<UsageQuery> For(KubernetesUsageOptions options)
    {
        string S(string metric, string matchers = "") => Selector(metric, matchers, options.Selector);
        var labelNames = string.Join(", ", options.ServiceLabels.Select(PrometheusLabel).Distinct());
        var queries = new List<UsageQuery>(options.RecordingRules ? Recorded() : Raw(S))
        {
            // Claims a pod mounts (value 1 while mounted), times the claim's requested size, per storage class.
            new(UsageQuantity.Storage,
                $"sum by (namespace, pod, storageclass) (sum_over_time({S("kube_pod_spec_volumes_persistentvolumeclaims_info")}[1h])" +
                $" * on (namespace, persistentvolumeclaim) group_left (storageclass) max by (namespace, persistentvolumeclaim, storageclass) (max_over_time({S("kube_persistentvolumeclaim_info")}[1h]))" +
                $" * on (namespace, persistentvolumeclaim) group_left () max by (namespace, persistentvolumeclaim) (max_over_time({S("kube_persistentvolumeclaim_resource_requests_storage_bytes")}[1h])))" +
                $" / scalar(max(count_over_time({S("kube_pod_spec_volumes_persistentvolumeclaims_info")}[1h]))) / {GiB}"),
            new(UsageQuantity.Labels, $"max by (namespace, pod{(labelNames.Length > 0 ? ", " + labelNames : "")}) (max_over_time({S("kube_pod_labels")}[1h]))",
                "kube_pod_labels", KubeStateMetrics),
            // Pods behind a Service of type LoadBalancer: its endpoint addresses joined to the pods' IPs.
            // bottomk keeps one Service per address, so an address behind two of them cannot break the join.
            new(UsageQuantity.LoadBalancer,
                $"max by (namespace, pod, service) (label_replace(max by (namespace, pod, pod_ip) (max_over_time({S("kube_pod_info")}[1h])), \"ip\", \"$1\", \"pod_ip\", \"(.+)\")" +
                $" * on (namespace, ip) group_left (service) bottomk by (namespace, ip) (1, max by (namespace, ip, service) (" +
                $"label_replace(max_over_time({S("kube_endpoint_address")}[1h]), \"service\", \"$1\", \"endpoint\", \"(.+)\")" +
                $" * on (namespace, service) group_left () max by (namespace, service) (max_over_time({S("kube_service_spec_type", "type=\"LoadBalancer\"")}[1h])))))"),
            // Nodes and their billed instances, so node cost billed without a cluster tag still reaches the cluster.
            new(UsageQuantity.NodeInfo, $"max by (node, provider_id) (max_over_time({S("kube_node_info")}[1h]))"),
        };
        if (options.ServiceFallback == KubernetesUsageOptions.Owner)
        {
            queries.Add(new(UsageQuantity.Owner, $"max by (namespace, pod, owner_kind, owner_name) (max_over_time({S("kube_pod_owner")}[1h]))"));
        }

        return queries;
    }

    /// <summary>CPU and memory from the raw series of kube-state-metrics and cAdvisor.</summary>
    private static UsageQuery[] Raw(Func<string, string, string> s) =>
    [
        new(UsageQuantity.CpuRequest, GaugeHours(s("kube_pod_container_resource_requests", "resource=\"cpu\"")),
            "kube_pod_container_resource_requests{resource=\"cpu\"}", KubeStateMetrics),
        new(UsageQuantity.MemoryRequest, $"{GaugeHours(s("kube_pod_container_resource_requests", "resource=\"memory\""))} / {GiB}",
            "kube_pod_container_resource_requests{resource=\"memory\"}", KubeStateMetrics),
        new(UsageQuantity.CpuUsage, $"sum by (namespace, pod) (increase({s("container_cpu_usage_seconds_total", Containers)}[1h])) / 3600",
            "container_cpu_usage_seconds_total", Cadvisor),
        new(UsageQuantity.MemoryUsage, $"{GaugeHours(s("container_memory_working_set_bytes", Containers))} / {GiB}",
            "container_memory_working_set_bytes", Cadvisor),
    ];

    /// <summary>
    /// CPU and memory from the per-pod series of prometheus/cluster-rules/kubernetes-usage.yml. CPU usage
    /// is then the hour's mean of a 5-minute rate, which equals the raw increase when the rate is steady.
    /// </summary>
    private static UsageQuery[] Recorded()
    {
        const string deploy = "load prometheus/cluster-rules/kubernetes-usage.yml into this Prometheus (or set RecordingRules to false)";
        return
        [
            new(UsageQuantity.CpuRequest, GaugeHours("namespace_pod:kube_pod_container_resource_requests_cpu_cores:sum"),
                "namespace_pod:kube_pod_container_resource_requests_cpu_cores:sum", deploy),
            new(UsageQuantity.MemoryRequest, $"{GaugeHours("namespace_pod:kube_pod_container_resource_requests_memory_bytes:sum")} / {GiB}",
                "namespace_pod:kube_pod_container_resource_requests_memory_bytes:sum", deploy),
            new(UsageQuantity.CpuUsage, GaugeHours("namespace_pod:container_cpu_usage_cores:sum_rate5m"),
                "namespace_pod:container_cpu_usage_cores:sum_rate5m", deploy),
            new(UsageQuantity.MemoryUsage, $"{GaugeHours("namespace_pod:container_memory_working_set_bytes:sum")} / {GiB}",
                "namespace_pod:container_memory_working_set_bytes:sum", deploy),
        ];
    }

    /// <summary>The most queries a poll makes (retries aside).</summary>
    public const int Count = 9;

    /// <summary>A gauge per pod, in its unit × hours: the hour's samples summed over the pod's containers, divided by the hour's scrapes.</summary>
    private static string GaugeHours(string selector) =>
        $"sum by (namespace, pod) (sum_over_time({selector}[1h])) / scalar(max(count_over_time({selector}[1h])))";

    /// <summary>How kube-state-metrics names a pod label on kube_pod_labels: <c>label_</c> plus the key with every other character than [a-zA-Z0-9_] as <c>_</c>.</summary>
    public static string PrometheusLabel(string podLabel)
    {
        var name = new StringBuilder("label_", podLabel.Length + 6);
        foreach (var c in podLabel) name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return name.ToString();
    }

    private static string Selector(string metric, string matchers, string extra)
    {
        var all = string.Join(",", new[] { matchers, extra }.Where(m => m.Length > 0));
        return all.Length == 0 ? metric : $"{metric}{{{all}}}";
    }
}
