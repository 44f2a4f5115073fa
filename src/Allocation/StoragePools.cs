namespace CloudSentinel.Allocation;

/// <summary>One pool per storage type, split by the GB-hours of the pods that use that type.</summary>
internal static class StoragePools
{
    public static List<PoolResult> Split(ClusterCost cost, IReadOnlyList<PodRow> pods, AllocationPolicy policy, UsdGrid grid) =>
    [
        .. cost.Storage
            .GroupBy(storage => storage.StorageType, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group =>
            {
                // Capacity is only known when every entry of the type states its size.
                var provisioned = group.All(storage => storage.ProvisionedGb is not null)
                    ? group.Sum(storage => storage.ProvisionedGb!.Value)
                    : (decimal?)null;
                var members = pods
                    .Select((pod, i) => (pod, i))
                    .Where(p => p.pod.Usage.StorageType == group.Key && p.pod.Usage.StorageGbHours > 0)
                    .Select(p => new PoolMember(p.i, p.pod.Service, p.pod.IsSystem, p.pod.Usage.StorageGbHours))
                    .ToList();
                return PoolSplitter.Split(
                    new PoolHeader(
                        AllocationNames.Storage,
                        group.Key,
                        ShareBasis.StorageGbHours,
                        grid.Round(group.Sum(storage => storage.CostUsd)),
                        provisioned),
                    members,
                    PoolSplitter.IdleWeight(policy, provisioned, members),
                    policy.ShareSystemNamespaces,
                    grid);
            }),
    ];
}
