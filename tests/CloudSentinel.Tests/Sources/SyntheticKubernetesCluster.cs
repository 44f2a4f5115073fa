using System.Globalization;
using System.Text;

namespace CloudSentinel.Tests.Sources;

/// <summary>
/// A small cluster's kube-state-metrics and cAdvisor history as OpenMetrics text (for
/// <c>promtool tsdb create-blocks-from openmetrics</c>), scraped every minute at :15, with the usage
/// each pod hour truly had: what the source must read back, and what the JSON twin posts. It has two
/// containers in one pod, cAdvisor's pod-level and pause-container series (which must not count), a pod
/// that runs 3 hours in 6, claims of two storage classes, a LoadBalancer and a ClusterIP Service, a
/// 10-minute gap of every scrape in one hour and a 5-minute gap of cAdvisor alone in another.
/// </summary>
public sealed class SyntheticKubernetesCluster
{
    public const string LoadBalancer = "shop/web-lb";

    /// <summary>The EC2 instance of node-1, as its bill names it (kube_node_info's provider_id is <c>aws:///us-east-1a/</c> and this).</summary>
    public const string NodeInstance = "i-0a1b2c3d4e5f60718";
    private const int ScrapeSeconds = 60;
    private const int ScrapeOffsetSeconds = 15;

    public SyntheticKubernetesCluster(DateTime firstHour, int hours)
    {
        FirstHour = firstHour;
        Hours = hours;
    }

    public DateTime FirstHour { get; }

    public int Hours { get; }

    /// <summary>The hour (index) in which no target was scraped from :20 to :30.</summary>
    public int GapHour => 10;

    /// <summary>The hour (index) in which cAdvisor alone was not scraped from :40 to :45.</summary>
    public int CadvisorGapHour => 20;

    public IReadOnlyList<SyntheticPod> Pods { get; } =
    [
        new("shop", "api-1", "10.0.0.11", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "api", ["app"] = "api-legacy" }, "api",
            [new("app", 0.375m, 768L << 20, 0.25m, 512L << 20), new("sidecar", 0.125m, 256L << 20, 0.0625m, 128L << 20)],
            ("api-data", "gp3", 20L << 30), true, _ => true),
        new("shop", "web-1", "10.0.0.12", new Dictionary<string, string> { ["app"] = "web" }, "web",
            [new("web", 1m, 2L << 30, 1.25m, 3L << 29)], ("web-cache", "standard", 5L << 30), true, _ => true),
        new("jobs", "batch-1", "10.0.0.13", new Dictionary<string, string>(), "jobs",
            [new("batch", 0.25m, 512L << 20, 0.125m, 256L << 20)], null, false, hour => hour % 6 < 3),
        new("kube-system", "coredns-1", "10.0.0.14", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "coredns" }, "coredns",
            [new("coredns", 0.1m, 64L << 20, 0.05m, 32L << 20)], null, false, _ => true),
    ];

    private bool Scraped(int hour, int minute, bool cadvisor) =>
        !(hour == GapHour && minute is >= 20 and < 30) && !(cadvisor && hour == CadvisorGapHour && minute is >= 40 and < 45);

    /// <summary>The series, family by family, each in time order, ending with <c># EOF</c>.</summary>
    public string OpenMetrics()
    {
        var text = new StringBuilder();
        void Family(string name, string type, IEnumerable<(string Series, bool Cadvisor, Func<int, double> Value, SyntheticPod? Pod)> series)
        {
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, cadvisor, value, pod) in series)
            {
                for (var hour = 0; hour < Hours; hour++)
                {
                    if (pod is not null && !pod.RunsInHour(hour)) continue;
                    for (var minute = 0; minute < 60; minute++)
                    {
                        if (!Scraped(hour, minute, cadvisor)) continue;
                        var seconds = hour * 3600 + minute * ScrapeSeconds + ScrapeOffsetSeconds;
                        var at = new DateTimeOffset(FirstHour).ToUnixTimeSeconds() + seconds;
                        text.Append(labels).Append(' ').Append(value(seconds).ToString("R", CultureInfo.InvariantCulture))
                            .Append(' ').Append(at.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
            }
        }

        static string L(string metric, params (string Name, string Value)[] labels) =>
            metric + "{" + string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";

        static Func<int, double> Constant(double v) => _ => v;

        // A counter that has counted since 75 s before its first sample, as a container started shortly before a scrape.
        static Func<int, double> Counter(decimal cores) => seconds => (double)cores * (seconds + 75 - ScrapeOffsetSeconds);

        Family("kube_pod_container_resource_requests", "gauge", Pods.SelectMany(p => p.Containers.SelectMany(c => new[]
        {
            (L("kube_pod_container_resource_requests", ("namespace", p.Namespace), ("pod", p.Name), ("container", c.Name), ("node", "node-1"), ("resource", "cpu"), ("unit", "core")), false, Constant((double)c.CpuRequest), (SyntheticPod?)p),
            (L("kube_pod_container_resource_requests", ("namespace", p.Namespace), ("pod", p.Name), ("container", c.Name), ("node", "node-1"), ("resource", "memory"), ("unit", "byte")), false, Constant(c.MemoryRequestBytes), p),
        })));
        Family("container_cpu_usage_seconds", "counter", Pods.SelectMany(p => p.Containers.Select(c =>
                (L("container_cpu_usage_seconds_total", ("namespace", p.Namespace), ("pod", p.Name), ("container", c.Name), ("cpu", "total")), true, Counter(c.CpuUsage), (SyntheticPod?)p))
            .Append((L("container_cpu_usage_seconds_total", ("namespace", p.Namespace), ("pod", p.Name), ("container", ""), ("cpu", "total")), true, Counter(p.CpuUsage + 0.01m), p))
            .Append((L("container_cpu_usage_seconds_total", ("namespace", p.Namespace), ("pod", p.Name), ("container", "POD"), ("cpu", "total")), true, Counter(0.01m), p))));
        Family("container_memory_working_set_bytes", "gauge", Pods.SelectMany(p => p.Containers.Select(c =>
                (L("container_memory_working_set_bytes", ("namespace", p.Namespace), ("pod", p.Name), ("container", c.Name)), true, Constant(c.WorkingSetBytes), (SyntheticPod?)p))
            .Append((L("container_memory_working_set_bytes", ("namespace", p.Namespace), ("pod", p.Name), ("container", "")), true, Constant(p.Containers.Sum(c => c.WorkingSetBytes) + (1L << 20)), p))));
        Family("kube_pod_labels", "gauge", Pods.Select(p =>
            (L("kube_pod_labels", [("namespace", p.Namespace), ("pod", p.Name), .. p.Labels.Select(l => ("label_" + l.Key.Replace('.', '_').Replace('/', '_'), l.Value))]), false, Constant(1), (SyntheticPod?)p)));
        Family("kube_pod_owner", "gauge", Pods.Select(p =>
            (L("kube_pod_owner", ("namespace", p.Namespace), ("pod", p.Name), ("owner_kind", "ReplicaSet"), ("owner_name", p.Name[..p.Name.LastIndexOf('-')] + "-5d8f9c"), ("owner_is_controller", "true")), false, Constant(1), (SyntheticPod?)p)));
        Family("kube_pod_info", "gauge", Pods.Select(p =>
            (L("kube_pod_info", ("namespace", p.Namespace), ("pod", p.Name), ("pod_ip", p.Ip), ("node", "node-1"), ("host_ip", "10.1.0.1")), false, Constant(1), (SyntheticPod?)p)));
        Family("kube_pod_spec_volumes_persistentvolumeclaims_info", "gauge", Pods.Where(p => p.Volume is not null).Select(p =>
            (L("kube_pod_spec_volumes_persistentvolumeclaims_info", ("namespace", p.Namespace), ("pod", p.Name), ("volume", "data"), ("persistentvolumeclaim", p.Volume!.Value.Claim)), false, Constant(1), (SyntheticPod?)p)));
        Family("kube_persistentvolumeclaim_info", "gauge", Pods.Where(p => p.Volume is not null).Select(p =>
            (L("kube_persistentvolumeclaim_info", ("namespace", p.Namespace), ("persistentvolumeclaim", p.Volume!.Value.Claim), ("storageclass", p.Volume!.Value.StorageClass), ("volumename", "pv-" + p.Name)), false, Constant(1), (SyntheticPod?)null)));
        Family("kube_persistentvolumeclaim_resource_requests_storage_bytes", "gauge", Pods.Where(p => p.Volume is not null).Select(p =>
            (L("kube_persistentvolumeclaim_resource_requests_storage_bytes", ("namespace", p.Namespace), ("persistentvolumeclaim", p.Volume!.Value.Claim)), false, Constant(p.Volume!.Value.Bytes), (SyntheticPod?)null)));
        Family("kube_service_spec_type", "gauge", new[]
        {
            (L("kube_service_spec_type", ("namespace", "shop"), ("service", "web-lb"), ("type", "LoadBalancer")), false, Constant(1), (SyntheticPod?)null),
            (L("kube_service_spec_type", ("namespace", "kube-system"), ("service", "kube-dns"), ("type", "ClusterIP")), false, Constant(1), null),
        });
        Family("kube_endpoint_address", "gauge", Pods.Where(p => p.BehindLoadBalancer).Select(p =>
                (L("kube_endpoint_address", ("namespace", p.Namespace), ("endpoint", "web-lb"), ("ip", p.Ip), ("ready", "true")), false, Constant(1), (SyntheticPod?)p))
            .Append((L("kube_endpoint_address", ("namespace", "kube-system"), ("endpoint", "kube-dns"), ("ip", "10.0.0.14"), ("ready", "true")), false, Constant(1), Pods[3])));
        Family("kube_node_info", "gauge", new[]
        {
            (L("kube_node_info", ("node", "node-1"), ("provider_id", "aws:///us-east-1a/" + NodeInstance), ("kubelet_version", "v1.31.2")), false, Constant(1), (SyntheticPod?)null),
        });
        text.Append("# EOF\n");
        return text.ToString();
    }

    /// <summary>The usage every pod hour truly had, as usage records of the JSON endpoint, for <paramref name="cluster"/>.</summary>
    public IEnumerable<string> UsageJson(string tenant, string cluster)
    {
        for (var hour = 0; hour < Hours; hour++)
        {
            foreach (var p in Pods.Where(p => p.RunsInHour(hour)))
            {
                var start = FirstHour.AddHours(hour).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var storage = p.Volume is { } v ? $",\"storage_type\":\"{v.StorageClass}\",\"storage_gb_hours\":{N(v.Bytes / (decimal)(1L << 30))}" : "";
                var balancer = p.BehindLoadBalancer ? $",\"load_balancer\":\"{LoadBalancer}\"" : "";
                yield return $$"""{"tenant":"{{tenant}}","cluster_name":"{{cluster}}","namespace":"{{p.Namespace}}","pod_name":"{{p.Name}}","service_name":"{{p.Service}}","period_start":"{{start}}","cpu_request_core_hours":{{N(p.CpuRequest)}},"cpu_usage_core_hours":{{N(p.CpuUsage)}},"memory_request_gb_hours":{{N(p.MemoryRequestGiB)}},"memory_usage_gb_hours":{{N(p.WorkingSetGiB)}}{{storage}}{{balancer}}}""";
            }
        }
    }

    /// <summary>The cluster's bill for every hour: nodes, two storage classes and the load balancer, tagged with <paramref name="cluster"/>.</summary>
    public IEnumerable<string> CostJson(string tenant, string cluster)
    {
        for (var hour = 0; hour < Hours; hour++)
        {
            var start = FirstHour.AddHours(hour).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            string Cost(string type, decimal usd, string extra = "", string tags = "") =>
                $$"""{"tenant":"{{tenant}}","service_name":"platform","cloud_provider":"aws","cost_type":"{{type}}","account_id":"111","period_start":"{{start}}","cost_usd":{{N(usd)}}{{extra}},"tags":{"cluster":"{{cluster}}"{{tags}} } }""";
            yield return Cost("compute", 1.50m, ",\"cpu_cost_usd\":0.90,\"memory_cost_usd\":0.60");
            yield return Cost("storage", 0.10m, ",\"storage_type\":\"gp3\",\"storage_gb\":50");
            yield return Cost("storage", 0.02m, ",\"storage_type\":\"standard\",\"storage_gb\":10");
            yield return Cost("network", 0.025m, tags: $",\"load_balancer\":\"{LoadBalancer}\"");
        }
    }

    /// <summary>A second node charge of every hour, in another account (a bucket of its own), billed to the service "ec2-nodes" for <see cref="NodeInstance"/>: with no tag when <paramref name="cluster"/> is null.</summary>
    public IEnumerable<string> NodeCostJson(string tenant, string? cluster)
    {
        var tags = cluster is null ? "" : $$""","tags":{"cluster":"{{cluster}}"}""";
        for (var hour = 0; hour < Hours; hour++)
        {
            var start = FirstHour.AddHours(hour).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            yield return $$"""{"tenant":"{{tenant}}","service_name":"ec2-nodes","cloud_provider":"aws","cost_type":"compute","account_id":"222","period_start":"{{start}}","cost_usd":0.60,"cpu_cost_usd":0.36,"memory_cost_usd":0.24,"resource_id":"{{NodeInstance}}"{{tags}}}""";
        }
    }

    private static string N(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
