namespace CloudSentinel.Grains.Abstractions.Persistence;

/// <summary>
/// Where cluster grains keep their raw inputs and their results. Enqueue calls never block a grain;
/// the store coalesces (newest value per key, newest allocation per cluster hour) and writes in
/// batches, and <see cref="CommitAsync"/> waits for them. An hour's allocation replaces the whole cluster hour.
/// </summary>
public interface IAllocationStore
{
    /// <summary>Inputs with the sequence of the message that wrote each; a stored row is only replaced by one whose sequence is not older.</summary>
    void EnqueueInputs(string tenant, string cluster, IReadOnlyList<Sequenced<ClusterCostUpdate>> costs, IReadOnlyList<Sequenced<PodUsageUpdate>> usage);

    void EnqueueAllocation(string tenant, string cluster, AllocatedHour hour);

    /// <summary>The tenant's distinct cluster names with stored inputs (the overflow cluster left out).</summary>
    Task<IReadOnlyList<string>> LoadClusterNamesAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Completes once everything enqueued for the cluster so far is committed; faults when the database refuses it.</summary>
    Task CommitAsync(string tenant, string cluster);

    /// <summary>The cluster's inputs of the hours in [<paramref name="since"/>, <paramref name="until"/>) and the shared buckets it last sent to services for them.</summary>
    Task<ClusterRestore> LoadAsync(string tenant, string cluster, DateTime since, DateTime until, CancellationToken cancellationToken);

    /// <summary>Writes everything enqueued so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>One recomputed cluster hour: the rows of pod_costs and shared_infrastructure_allocation, and what services were sent.</summary>
public sealed record AllocatedHour(
    DateTime Hour,
    IReadOnlyList<SharedAllocationRow> Services,
    IReadOnlyList<PodCostRow> Pods,
    IReadOnlyDictionary<string, Dictionary<BucketKey, BucketAmount>> ServiceBuckets);

/// <summary>What a cluster grain needs after activation.</summary>
/// <param name="Published">Per hour, per service, the shared buckets services hold for this cluster.</param>
public sealed record ClusterRestore(
    IReadOnlyList<Sequenced<ClusterCostUpdate>> Costs,
    IReadOnlyList<Sequenced<PodUsageUpdate>> Usage,
    IReadOnlyDictionary<DateTime, Dictionary<string, Dictionary<BucketKey, BucketAmount>>> Published);
