namespace CloudSentinel.Ingestion;

/// <summary>
/// Which cost records belong to a Kubernetes cluster rather than to an application service.
/// Section "Allocation" (the silo reads its allocation policy from the same section).
/// </summary>
public sealed class ClusterRoutingOptions
{
    public const string Section = "Allocation";

    public static readonly string[] DefaultClusterTagKeys =
        ["cluster", "kubernetes_cluster", "eks:cluster-name", "aks-managed-cluster-name", "goog-k8s-cluster-name"];

    public static readonly string[] DefaultLoadBalancerTagKeys = ["load_balancer"];

    /// <summary>Tag keys whose value names the cluster; matched trimmed and case-insensitively, first match wins.
    /// Empty means <see cref="DefaultClusterTagKeys"/> (a configured list replaces it).</summary>
    public string[] ClusterTagKeys { get; set; } = [];

    /// <summary>Tag keys whose value names the load balancer a network or other charge pays for.
    /// Empty means <see cref="DefaultLoadBalancerTagKeys"/>.</summary>
    public string[] LoadBalancerTagKeys { get; set; } = [];

    /// <summary>How often each process reloads the node → cluster map (cluster_nodes) that routes untagged node cost.</summary>
    public TimeSpan NodeMapRefresh { get; set; } = TimeSpan.FromSeconds(30);

    public ClusterRoutingOptions Validate()
    {
        if (NodeMapRefresh < TimeSpan.FromMilliseconds(100) || NodeMapRefresh > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("Allocation:NodeMapRefresh must be 00:00:00.1 to 01:00:00");
        }

        if (ClusterTagKeys.Length == 0) ClusterTagKeys = DefaultClusterTagKeys;
        if (LoadBalancerTagKeys.Length == 0) LoadBalancerTagKeys = DefaultLoadBalancerTagKeys;
        if (ClusterTagKeys.Concat(LoadBalancerTagKeys).Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Allocation:ClusterTagKeys and Allocation:LoadBalancerTagKeys must not hold blank keys");
        }

        return this;
    }
}
