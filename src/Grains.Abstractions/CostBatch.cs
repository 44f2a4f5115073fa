namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// Identifies one absolute hourly bucket of a service. Two updates with the same key describe
/// the same money: the later one replaces the earlier one.
/// </summary>
/// <param name="Breakdown">The storage type of a storage bucket, the direction of a network bucket, else "".</param>
[GenerateSerializer, Immutable, Alias("bucket-key")]
public readonly record struct BucketKey(
    [property: Id(0)] string Provider,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string CostType,
    [property: Id(3)] DateTime Hour,
    [property: Id(4)] string Breakdown,
    [property: Id(5)] string Source);

/// <summary>The absolute amounts held by one bucket.</summary>
[GenerateSerializer, Immutable, Alias("bucket-amount")]
public readonly record struct BucketAmount(
    [property: Id(0)] decimal CostUsd,
    [property: Id(1)] decimal CpuCostUsd,
    [property: Id(2)] decimal MemoryCostUsd,
    [property: Id(3)] decimal StorageGb)
{
    public static BucketAmount operator +(BucketAmount a, BucketAmount b) =>
        new(a.CostUsd + b.CostUsd, a.CpuCostUsd + b.CpuCostUsd, a.MemoryCostUsd + b.MemoryCostUsd, a.StorageGb + b.StorageGb);
}

[GenerateSerializer, Immutable, Alias("bucket-update")]
public readonly record struct BucketUpdate(
    [property: Id(0)] BucketKey Key,
    [property: Id(1)] BucketAmount Amount);

/// <summary>All bucket updates of one ingest request for one (tenant, service): one ingest log message.</summary>
[GenerateSerializer, Immutable, Alias("cost-batch")]
public sealed record CostBatch(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string ServiceName,
    [property: Id(2)] BucketUpdate[] Updates);
