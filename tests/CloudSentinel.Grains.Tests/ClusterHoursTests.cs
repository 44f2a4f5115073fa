using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;

namespace CloudSentinel.Grains.Tests;

public sealed class ClusterHoursTests
{
    private static readonly DateTime Hour = new(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc);

    private static PodUsageUpdate Pod(string service, decimal cpu) =>
        new(new PodUsageKey(Hour, "shop", "api-1"), new PodUsageAmount(service, cpu, cpu, 1m, 1m, null, 0m, null, 0m));

    private static ClusterCostUpdate Node(decimal cost) =>
        new(new ClusterCostKey("aws", "1", "compute", ClusterComponents.Node, "", Hour, ""), new ClusterCostAmount(cost, 0m, 0m, 0m, 0m, 0m));

    [Fact]
    public void A_late_older_report_never_replaces_a_newer_one_and_is_not_stored_again()
    {
        var hours = new ClusterHours();
        hours.Apply([Node(5m)], [Pod("api-v2", 2m)], sequence: 20);

        var late = hours.Apply([Node(9m)], [Pod("api", 1m)], sequence: 10);

        Assert.Empty(late.Costs);
        Assert.Empty(late.Usage);
        Assert.Empty(late.Hours);
        Assert.Equal(5m, hours.Hours[Hour].Costs.Single().Amount.CostUsd);
        Assert.Equal("api-v2", hours.Hours[Hour].Usage.Single().Usage.ServiceName);
    }

    [Fact]
    public void A_redelivered_message_is_stored_again_with_its_sequence_but_changes_no_hour()
    {
        var hours = new ClusterHours();
        hours.Apply([Node(5m)], [Pod("api", 2m)], sequence: 20);

        var again = hours.Apply([Node(5m)], [Pod("api", 2m)], sequence: 20);
        var newer = hours.Apply([Node(6m)], [], sequence: 30);

        Assert.Equal([20L], again.Costs.Select(c => c.Sequence));
        Assert.Empty(again.Hours);
        Assert.Equal([Hour], newer.Hours);
        Assert.Equal(6m, hours.Hours[Hour].Costs.Single().Amount.CostUsd);
    }
}
