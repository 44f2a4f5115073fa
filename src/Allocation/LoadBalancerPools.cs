namespace CloudSentinel.Allocation;

/// <summary>
/// One pool per load balancer, split among the services behind it: by requests when any pod
/// reports some, otherwise in equal parts per service, since without a signal every service
/// behind it is equally able to use it.
/// </summary>
internal static class LoadBalancerPools
{
    public static List<PoolResult> Split(ClusterCost cost, IReadOnlyList<PodRow> pods, AllocationPolicy policy, UsdGrid grid) =>
    [
        .. cost.LoadBalancers
            .GroupBy(balancer => balancer.Name, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group =>
            {
                var behind = pods.Select((pod, i) => (pod, i)).Where(p => p.pod.Usage.LoadBalancer == group.Key).ToList();
                var byRequests = behind.Any(p => p.pod.Usage.LbRequests > 0);
                List<PoolMember> members = byRequests
                    ? [.. behind.Select(p => new PoolMember(p.i, p.pod.Service, p.pod.IsSystem, p.pod.Usage.LbRequests))]
                    : [.. behind
                        .GroupBy(p => p.pod.Service, StringComparer.Ordinal)
                        .Select(service => new PoolMember(-1, service.Key, service.All(p => p.pod.IsSystem), 1m))];
                return PoolSplitter.Split(
                    new PoolHeader(
                        AllocationNames.LoadBalancer,
                        group.Key,
                        byRequests ? ShareBasis.LbRequests : ShareBasis.Even,
                        grid.Round(group.Sum(balancer => balancer.CostUsd)),
                        null),
                    members,
                    0m,
                    policy.ShareSystemNamespaces,
                    grid);
            }),
    ];
}
