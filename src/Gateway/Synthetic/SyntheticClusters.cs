using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway.Synthetic;

/// <summary>
/// Deterministic demo clusters for the synthetic feed: per tenant an EKS and a GKE cluster running
/// some of the tenant's services (plus kube-system and an unlabelled cron job), with hourly pod
/// usage and the clusters' own bills (nodes with CPU/memory parts and capacity, a management fee,
/// shared volumes, a load balancer) as cluster-tagged cost records. Same (seed, hour), same data.
/// </summary>
public sealed class SyntheticClusters(SyntheticOptions options)
{
    private const int ServicesPerCluster = 12;

    private sealed record Cluster(string Suffix, string Provider, string Tag, string StorageType, int FirstService, int Nodes, decimal NodeUsd);

    private static readonly Cluster[] Clusters =
    [
        new("eks", "aws", "eks:cluster-name", "gp3", 0, 6, 0.384m),
        new("gke", "gcp", "goog-k8s-cluster-name", "pd-ssd", 8, 4, 0.4352m),
    ];

    /// <summary>Allocatable size of one node: 8 cores and 32 GB.</summary>
    private const decimal NodeCores = 8m, NodeGb = 32m;

    public static string ClusterName(string tenant, int cluster) => $"{tenant}-{Clusters[cluster].Suffix}";

    /// <summary>The clusters' own cost for the hour, tagged with the cluster. <paramref name="fraction"/> &lt; 1 gives the running hour so far.</summary>
    public IEnumerable<CostRecord> Costs(DateTime hour, decimal fraction = 1m)
    {
        foreach (var tenant in options.Tenants)
        {
            for (var c = 0; c < Clusters.Length; c++)
            {
                var cluster = Clusters[c];
                var name = ClusterName(tenant, c);
                CostRecord Record(string costType, decimal costUsd, params (string Key, string Value)[] tags) => new()
                {
                    Tenant = tenant,
                    Provider = cluster.Provider,
                    CostType = costType,
                    PeriodStart = hour,
                    PeriodEnd = hour.AddHours(1),
                    CostUsd = Math.Round(costUsd * fraction, 6),
                    AccountId = $"{cluster.Provider}-{tenant}-prod",
                    Source = "synthetic",
                    ServiceName = "platform",
                    Tags = new Dictionary<string, string>(tags.Select(t => KeyValuePair.Create(t.Key, t.Value))) { [cluster.Tag] = name },
                };

                var nodes = Math.Round(cluster.Nodes * cluster.NodeUsd * fraction, 6);
                var cpu = Math.Round(nodes * 0.65m, 6);
                yield return Record("compute", cluster.Nodes * cluster.NodeUsd,
                    (ClusterCostRouter.CpuCapacityTag, (cluster.Nodes * NodeCores * fraction).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    (ClusterCostRouter.MemoryCapacityTag, (cluster.Nodes * NodeGb * fraction).ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    with { CpuCostUsd = cpu, MemoryCostUsd = nodes - cpu };
                yield return Record("other", 0.10m);
                yield return Record("storage", 2000m * 0.08m / 730m) with { StorageType = cluster.StorageType, StorageGb = 2000m };
                yield return Record("network", 0.0225m + 0.008m * (decimal)Load(hour), ("load_balancer", "public"));
            }
        }
    }

    /// <summary>Every pod's usage for the hour (or the running hour so far).</summary>
    public IEnumerable<UsageRecord> Usage(DateTime hour, decimal fraction = 1m)
    {
        foreach (var tenant in options.Tenants)
        {
            for (var c = 0; c < Clusters.Length; c++)
            {
                var cluster = Clusters[c];
                var name = ClusterName(tenant, c);
                UsageRecord Pod(string ns, string pod, string service, double cores, double gb, double load) => new()
                {
                    Tenant = tenant,
                    ClusterName = name,
                    PeriodStart = hour,
                    PeriodEnd = hour.AddHours(1),
                    Pod = new PodUsage
                    {
                        Namespace = ns,
                        PodName = pod,
                        ServiceName = service,
                        CpuRequestCoreHours = Quantity(cores, fraction),
                        CpuUsageCoreHours = Quantity(cores * (0.3 + load), fraction),
                        MemoryRequestGbHours = Quantity(gb, fraction),
                        MemoryUsageGbHours = Quantity(gb * (0.5 + 0.6 * load), fraction),
                    },
                };

                for (var replica = 0; replica < 2; replica++)
                {
                    yield return Pod("kube-system", $"coredns-{replica}", "coredns", 0.1, 0.17, 0.3);
                }

                yield return Pod("jobs", "cleanup-cron", CostVocabulary.UntaggedService, 0.5, 1, Load(hour) * 0.5);
                for (var i = cluster.FirstService; i < cluster.FirstService + Math.Min(ServicesPerCluster, options.ServicesPerTenant); i++)
                {
                    var service = SyntheticCostGenerator.ServiceName(i % options.ServicesPerTenant);
                    var seed = SyntheticCostGenerator.Hash(options.Seed, tenant, name, service);
                    var replicas = 2 + (int)(SyntheticCostGenerator.Unit(seed, 1) * 3);
                    var cores = 0.25 + Math.Round(SyntheticCostGenerator.Unit(seed, 2) * 7) * 0.25;
                    var gb = 0.5 + Math.Round(SyntheticCostGenerator.Unit(seed, 3) * 15) * 0.5;
                    var stateful = service.EndsWith("-db", StringComparison.Ordinal) || service.EndsWith("-cache", StringComparison.Ordinal);
                    var public_ = service.EndsWith("-api", StringComparison.Ordinal) || service.EndsWith("-web", StringComparison.Ordinal) || service.EndsWith("-gateway", StringComparison.Ordinal);
                    for (var replica = 0; replica < replicas; replica++)
                    {
                        var load = Load(hour) * (0.8 + 0.4 * SyntheticCostGenerator.Unit(SyntheticCostGenerator.Hash(seed, hour.Ticks.ToString(), replica.ToString()), 4));
                        var pod = Pod(service, $"{service}-{replica}", service, cores, gb, load);
                        if (stateful) pod = pod with { Pod = pod.Pod with { StorageType = cluster.StorageType, StorageGbHours = Quantity(100 + 400 * SyntheticCostGenerator.Unit(seed, 5), fraction) } };
                        if (public_) pod = pod with { Pod = pod.Pod with { LoadBalancer = "public", LbRequests = Quantity(1000 * load, fraction) } };
                        yield return pod;
                    }
                }
            }
        }
    }

    /// <summary>The daily rhythm of the demo load, 0.35 at night to 1.05 in the afternoon.</summary>
    private static double Load(DateTime hour) => 0.7 + 0.35 * Math.Sin((hour.Hour - 9) / 24.0 * 2 * Math.PI);

    private static decimal Quantity(double value, decimal fraction) => Math.Round((decimal)value * fraction, 4);
}
