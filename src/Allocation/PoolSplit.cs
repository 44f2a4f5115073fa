using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>The signal a pool is split by.</summary>
public enum ShareBasis
{
    CpuCoreHours,
    MemoryGbHours,
    StorageGbHours,
    LbRequests,

    /// <summary>Equal parts per service, for a load balancer without a request signal.</summary>
    Even,
}

/// <summary>
/// One pool of cost (the CPU or memory part of the nodes, a storage type, a load balancer) and how
/// it was split: the answer to "why was this service charged this".
/// </summary>
/// <param name="Pool">cpu, memory, the storage type, or the load balancer name.</param>
/// <param name="CostUsd">The amount split (for cpu and memory it includes half of the other node cost).</param>
/// <param name="Capacity">Capacity the idle part is measured from, when it applies.</param>
/// <param name="UsedWeight">Sum of the weights of all pods (or services, for <see cref="ShareBasis.Even"/>).</param>
/// <param name="IdleWeight">Weight charged to <see cref="CostVocabulary.IdleService"/>.</param>
/// <param name="SystemShared">True when the weight of system-namespace pods was moved to the other services.</param>
/// <param name="Shares">One line per service taking part, plus idle; ordered by ordinal service name.</param>
public sealed record PoolSplit(
    string ResourceType,
    string Pool,
    ShareBasis Basis,
    decimal CostUsd,
    decimal? Capacity,
    decimal UsedWeight,
    decimal IdleWeight,
    bool SystemShared,
    IReadOnlyList<ShareLine> Shares);

/// <summary>A service's part of a pool.</summary>
/// <param name="Weight">The service's own weight in the pool, before system-namespace sharing.</param>
/// <param name="SharePercent">Its final share of the pool in percent; the lines add up to exactly 100.</param>
public sealed record ShareLine(string ServiceName, decimal Weight, decimal SharePercent, decimal CostUsd);
