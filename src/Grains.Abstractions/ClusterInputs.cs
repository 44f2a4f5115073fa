using CloudSentinel.Core;

namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// Identifies one absolute hourly bucket of a cluster's own cost. Like <see cref="BucketKey"/>, a
/// later update with the same key replaces the earlier one, so restated bills never add up twice.
/// </summary>
/// <param name="CostType">The record's cost type, so a management fee and a node bill of one hour stay two buckets.</param>
/// <param name="Component">One of <see cref="ClusterComponents"/>.</param>
/// <param name="Pool">The storage type of a storage bucket, the load balancer name of a load balancer bucket, else "".</param>
[GenerateSerializer, Immutable, Alias("cluster-cost-key")]
public readonly record struct ClusterCostKey(
    [property: Id(0)] string Provider,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string CostType,
    [property: Id(3)] string Component,
    [property: Id(4)] string Pool,
    [property: Id(5)] DateTime Hour,
    [property: Id(6)] string Source);

/// <summary>
/// The absolute amounts of one cluster cost bucket. For a node bucket, <see cref="CostUsd"/> minus the
/// CPU and memory parts is the node cost the bill did not split (shared half by CPU, half by memory).
/// </summary>
/// <param name="StorageGb">Provisioned GB of a storage bucket; 0 means unknown.</param>
/// <param name="CpuCapacityCoreHours">Allocatable CPU the node bucket paid for; 0 means unknown.</param>
/// <param name="MemoryCapacityGbHours">Allocatable memory the node bucket paid for; 0 means unknown.</param>
[GenerateSerializer, Immutable, Alias("cluster-cost-amount")]
public readonly record struct ClusterCostAmount(
    [property: Id(0)] decimal CostUsd,
    [property: Id(1)] decimal CpuCostUsd,
    [property: Id(2)] decimal MemoryCostUsd,
    [property: Id(3)] decimal StorageGb,
    [property: Id(4)] decimal CpuCapacityCoreHours,
    [property: Id(5)] decimal MemoryCapacityGbHours)
{
    public static ClusterCostAmount operator +(ClusterCostAmount a, ClusterCostAmount b) => new(
        a.CostUsd + b.CostUsd, a.CpuCostUsd + b.CpuCostUsd, a.MemoryCostUsd + b.MemoryCostUsd,
        a.StorageGb + b.StorageGb, a.CpuCapacityCoreHours + b.CpuCapacityCoreHours, a.MemoryCapacityGbHours + b.MemoryCapacityGbHours);
}

[GenerateSerializer, Immutable, Alias("cluster-cost-update")]
public readonly record struct ClusterCostUpdate(
    [property: Id(0)] ClusterCostKey Key,
    [property: Id(1)] ClusterCostAmount Amount);

/// <summary>One pod's hour in a cluster; a later report for the same key replaces the earlier one.</summary>
[GenerateSerializer, Immutable, Alias("pod-usage-key")]
public readonly record struct PodUsageKey(
    [property: Id(0)] DateTime Hour,
    [property: Id(1)] string Namespace,
    [property: Id(2)] string PodName)
{
    public static PodUsageKey Of(DateTime hour, PodUsage pod) => new(hour, pod.Namespace, pod.PodName);
}

/// <summary>
/// A <see cref="PodUsage"/> of one hour on the wire, without the pod's names (they are in its
/// <see cref="PodUsageKey"/>). This layout is what the ingest log holds (<c>ingest_log.payload</c>)
/// and what silos of the previous release read during a rolling upgrade, so it stays as it is:
/// code works with <see cref="PodUsage"/> and converts only here.
/// </summary>
[GenerateSerializer, Immutable, Alias("pod-usage-amount")]
public readonly record struct PodUsageAmount(
    [property: Id(0)] string ServiceName,
    [property: Id(1)] decimal CpuRequestCoreHours,
    [property: Id(2)] decimal CpuUsageCoreHours,
    [property: Id(3)] decimal MemoryRequestGbHours,
    [property: Id(4)] decimal MemoryUsageGbHours,
    [property: Id(5)] string? StorageType,
    [property: Id(6)] decimal StorageGbHours,
    [property: Id(7)] string? LoadBalancer,
    [property: Id(8)] decimal LbRequests)
{
    public static PodUsageAmount Of(PodUsage pod) => new(
        pod.Service,
        pod.CpuRequestCoreHours, pod.CpuUsageCoreHours, pod.MemoryRequestGbHours, pod.MemoryUsageGbHours,
        pod.StorageType, pod.StorageGbHours, pod.LoadBalancer, pod.LbRequests);

    public PodUsage ToPodUsage(string ns, string podName) => new()
    {
        Namespace = ns,
        PodName = podName,
        ServiceName = ServiceName,
        CpuRequestCoreHours = CpuRequestCoreHours,
        CpuUsageCoreHours = CpuUsageCoreHours,
        MemoryRequestGbHours = MemoryRequestGbHours,
        MemoryUsageGbHours = MemoryUsageGbHours,
        StorageType = StorageType,
        StorageGbHours = StorageGbHours,
        LoadBalancer = LoadBalancer,
        LbRequests = LbRequests,
    };
}

[GenerateSerializer, Immutable, Alias("pod-usage-update")]
public readonly record struct PodUsageUpdate(
    [property: Id(0)] PodUsageKey Key,
    [property: Id(1)] PodUsageAmount Usage);

/// <summary>
/// All cluster cost buckets and pod usage of one request for one (tenant, cluster): one ingest log
/// message for the cluster grain "tenant/cluster".
/// </summary>
[GenerateSerializer, Immutable, Alias("cluster-input-batch")]
public sealed record ClusterInputBatch(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Cluster,
    [property: Id(2)] ClusterCostUpdate[] Costs,
    [property: Id(3)] PodUsageUpdate[] Usage);

/// <summary>What part of a cluster a cost bucket pays for.</summary>
public static class ClusterComponents
{
    /// <summary>Nodes, management fees and anything else shared by CPU and memory.</summary>
    public const string Node = "node";

    /// <summary>Shared volumes of one storage type.</summary>
    public const string Storage = "storage";

    /// <summary>One named load balancer.</summary>
    public const string LoadBalancer = "load_balancer";
}
