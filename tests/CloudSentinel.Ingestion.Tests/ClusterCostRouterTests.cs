using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

/// <summary>Which cost records are a cluster's own cost, and what part of the cluster they pay for.</summary>
public sealed class ClusterCostRouterTests
{
    private static readonly DateTime Hour = new(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc);
    private readonly ClusterCostRouter _router = new(new ClusterRoutingOptions().Validate());

    private static CostRecord Record(string costType, Dictionary<string, string>? tags, string? storageType = null) => new()
    {
        Tenant = "acme", ServiceName = "platform", Provider = "aws", CostType = costType,
        PeriodStart = Hour, PeriodEnd = Hour.AddHours(1), CostUsd = 1m, StorageType = storageType, Tags = tags,
    };

    [Theory]
    [InlineData("cluster")]
    [InlineData("kubernetes_cluster")]
    [InlineData(" EKS:Cluster-Name ")]
    [InlineData("aks-managed-cluster-name")]
    [InlineData("GOOG-K8S-CLUSTER-NAME")]
    public void Default_cluster_tags_match_trimmed_and_case_insensitively(string key)
    {
        var route = _router.Route(Record("compute", new() { [key] = " prod-1 " }), 0, null);

        Assert.Equal(new ClusterRoute("prod-1", ClusterComponents.Node, "", 0m, 0m), route);
    }

    [Fact]
    public void Records_without_a_cluster_tag_stay_with_their_service()
    {
        Assert.Null(_router.Route(Record("compute", new() { ["team"] = "a", ["cluster"] = " " }), 0, null));
        Assert.Null(_router.Route(Record("compute", null), 0, null));
    }

    [Theory]
    [InlineData("storage", "gp3", null, "storage", "gp3")]
    [InlineData("storage", null, null, "node", "")]
    [InlineData("network", null, "public", "load_balancer", "public")]
    [InlineData("other", null, "internal", "load_balancer", "internal")]
    [InlineData("network", null, null, "node", "")]
    [InlineData("database", null, "public", "node", "")]
    public void Cost_type_and_tags_decide_the_component(string costType, string? storageType, string? balancer, string component, string pool)
    {
        var tags = new Dictionary<string, string> { ["cluster"] = "c" };
        if (balancer is not null) tags["load_balancer"] = balancer;

        var route = _router.Route(Record(costType, tags, storageType), 0, null)!;

        Assert.Equal((component, pool), (route.Component, route.Pool));
    }

    [Fact]
    public void Capacity_tags_are_read_and_a_bad_one_is_an_error_naming_the_tag()
    {
        var route = _router.Route(Record("compute", new() { ["cluster"] = "c", ["cpu_capacity_core_hours"] = "48", ["memory_capacity_gb_hours"] = "192.5" }), 0, null)!;
        Assert.Equal((48m, 192.5m), (route.CpuCapacityCoreHours, route.MemoryCapacityGbHours));

        var errors = new List<IngestError>();
        _router.Check(Record("compute", new() { ["cluster"] = "c", ["cpu_capacity_core_hours"] = "-1" }), 7, errors);
        Assert.Equal(7, errors.Single().Record);
        Assert.Equal("tags.cpu_capacity_core_hours", errors.Single().Field);
    }

    [Fact]
    public async Task An_untagged_record_of_a_known_node_instance_is_routed_to_its_cluster_and_a_cluster_tag_still_wins()
    {
        using var nodes = new ClusterNodeMap(null, TimeProvider.System, TimeSpan.FromSeconds(30));
        await nodes.SaveAsync("acme", "prod-1", ["i-0abc"], Hour, CancellationToken.None);
        var router = new ClusterCostRouter(new ClusterRoutingOptions().Validate(), nodes);

        Assert.Equal(new ClusterRoute("prod-1", ClusterComponents.Node, "", 8m, 0m),
            router.Route(Record("compute", new() { ["cpu_capacity_core_hours"] = "8" }) with { ResourceId = " I-0ABC " }, 0, null));
        Assert.Equal(new ClusterRoute("prod-1", ClusterComponents.Node, "", 0m, 0m), router.Route(Record("network", null) with { ResourceId = "i-0abc" }, 0, null));
        Assert.Equal("other-1", router.Route(Record("compute", new() { ["cluster"] = "other-1" }) with { ResourceId = "i-0abc" }, 0, null)!.Cluster);
        // Another tenant's instance of the same id, and another instance, belong to no cluster.
        Assert.Null(router.Route(Record("compute", null) with { Tenant = "globex", ResourceId = "i-0abc" }, 0, null));
        Assert.Null(router.Route(Record("compute", null) with { ResourceId = "i-0def" }, 0, null));
    }

    [Fact]
    public void Configured_tag_keys_replace_the_defaults()
    {
        var router = new ClusterCostRouter(new ClusterRoutingOptions { ClusterTagKeys = ["k8s"], LoadBalancerTagKeys = ["lb"] }.Validate());

        Assert.Null(router.Route(Record("compute", new() { ["cluster"] = "c" }), 0, null));
        Assert.Equal(ClusterComponents.LoadBalancer, router.Route(Record("network", new() { ["k8s"] = "c", ["lb"] = "x" }), 0, null)!.Component);
    }

    [Fact]
    public void Split_folds_cluster_cost_into_absolute_hourly_inputs_and_keeps_the_rest()
    {
        var clusters = new ClusterInputAggregator();
        var twoHours = Record("compute", new() { ["cluster"] = "c", ["cpu_capacity_core_hours"] = "16" }) with
        {
            PeriodEnd = Hour.AddHours(2), CostUsd = 3m, CpuCostUsd = 2m, MemoryCostUsd = 1m,
        };

        var services = _router.Split([twoHours, Record("compute", null)], clusters);

        Assert.Single(services);
        var batch = clusters.Batches().Single();
        Assert.Equal(("acme", "c"), (batch.Tenant, batch.Cluster));
        Assert.Equal(2, batch.Costs.Length);
        Assert.All(batch.Costs, c => Assert.Equal(new ClusterCostAmount(1.5m, 1m, 0.5m, 0m, 8m, 0m), c.Amount));
    }
}
