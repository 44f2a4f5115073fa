namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// What a cluster grain reports for <c>cloudsentinel_shared_cost_allocated_usd</c>: the
/// allocation rows of its latest ended hour with data, so a scrape never reaches the grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("cluster-snapshot")]
public sealed record ClusterSnapshot(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Cluster,
    [property: Id(2)] DateTime? LatestHour,
    [property: Id(3)] SharedAllocationRow[] Rows)
{
    public string Key => ServiceKey.Format(Tenant, Cluster);
}
