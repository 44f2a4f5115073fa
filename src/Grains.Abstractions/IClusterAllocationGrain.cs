namespace CloudSentinel.Grains.Abstractions;

/// <summary>One grain per (tenant, cluster), key "tenant/cluster".</summary>
public interface IClusterAllocationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies ingest message <paramref name="sequence"/>: stores the inputs, allocates every hour the
    /// message touches and sends services their shares, and returns once all of that is committed.
    /// </summary>
    Task Apply(ClusterInputBatch batch, long sequence);

    /// <summary>The inputs and the split of every hour in [<paramref name="from"/>, <paramref name="to"/>) the grain holds.</summary>
    Task<ClusterAllocationView> GetAllocation(DateTime from, DateTime to);
}

[GenerateSerializer, Immutable, Alias("cluster-allocation-view")]
public sealed record ClusterAllocationView(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Cluster,
    [property: Id(2)] string IdleMode,
    [property: Id(3)] string[] SystemNamespaces,
    [property: Id(4)] bool ShareSystemNamespaces,
    [property: Id(5)] ClusterHourView[] Hours);

/// <summary>One hour: what went in, what came out, and how each pool was split.</summary>
[GenerateSerializer, Immutable, Alias("cluster-hour-view")]
public sealed record ClusterHourView(
    [property: Id(0)] DateTime Hour,
    [property: Id(1)] ClusterCostUpdate[] Costs,
    [property: Id(2)] PodUsageUpdate[] Usage,
    [property: Id(3)] AllocationTotalsView Totals,
    [property: Id(4)] SharedAllocationRow[] Services,
    [property: Id(5)] PodCostRow[] Pods,
    [property: Id(6)] PoolSplitView[] Pools);

[GenerateSerializer, Immutable, Alias("allocation-totals-view")]
public sealed record AllocationTotalsView(
    [property: Id(0)] decimal NodeCpuUsd,
    [property: Id(1)] decimal NodeMemoryUsd,
    [property: Id(2)] decimal NodeOtherUsd,
    [property: Id(3)] decimal StorageUsd,
    [property: Id(4)] decimal LoadBalancerUsd,
    [property: Id(5)] decimal TotalUsd);

/// <summary>A row of <c>shared_infrastructure_allocation</c>.</summary>
[GenerateSerializer, Immutable, Alias("shared-allocation-row")]
public sealed record SharedAllocationRow(
    [property: Id(0)] string ResourceType,
    [property: Id(1)] string ServiceName,
    [property: Id(2)] decimal AllocatedCostUsd,
    [property: Id(3)] decimal CpuAllocationPercent,
    [property: Id(4)] decimal MemoryAllocationPercent);

/// <summary>A row of <c>pod_costs</c>, with the weights that produced it.</summary>
[GenerateSerializer, Immutable, Alias("pod-cost-row")]
public sealed record PodCostRow(
    [property: Id(0)] string Namespace,
    [property: Id(1)] string PodName,
    [property: Id(2)] string ServiceName,
    [property: Id(3)] decimal CpuCostUsd,
    [property: Id(4)] decimal MemoryCostUsd,
    [property: Id(5)] decimal StorageCostUsd,
    [property: Id(6)] decimal CpuWeightCoreHours,
    [property: Id(7)] decimal MemoryWeightGbHours);

[GenerateSerializer, Immutable, Alias("pool-split-view")]
public sealed record PoolSplitView(
    [property: Id(0)] string ResourceType,
    [property: Id(1)] string Pool,
    [property: Id(2)] string Basis,
    [property: Id(3)] decimal CostUsd,
    [property: Id(4)] decimal? Capacity,
    [property: Id(5)] decimal UsedWeight,
    [property: Id(6)] decimal IdleWeight,
    [property: Id(7)] bool SystemShared,
    [property: Id(8)] ShareLineView[] Shares);

[GenerateSerializer, Immutable, Alias("share-line-view")]
public sealed record ShareLineView(
    [property: Id(0)] string ServiceName,
    [property: Id(1)] decimal Weight,
    [property: Id(2)] decimal SharePercent,
    [property: Id(3)] decimal CostUsd);
