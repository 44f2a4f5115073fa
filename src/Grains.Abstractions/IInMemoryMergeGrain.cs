namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// The in-memory mode's merge (no PostgreSQL): the journal hands a batch here before it tells the
/// service grain, as the PostgreSQL journal merges into service_costs first, so a grain that
/// deactivates and activates again reloads what it was told.
/// </summary>
public interface IInMemoryMergeGrain : IGrainWithIntegerKey
{
    Task Merge(CostBatch batch);
}
