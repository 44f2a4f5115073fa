using CloudSentinel.Allocation;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;

namespace CloudSentinel.Grains.Tests;

/// <summary>How an hour's allocation becomes absolute service buckets, and what a recompute sends.</summary>
public sealed class SharedCostBucketsTests
{
    private static readonly DateTime Hour = new(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc);

    private static PodUsage Pod(string ns, string name, string service, decimal cpu, decimal memory, string? storage = null, decimal gb = 0, string? lb = null) => new()
    {
        Namespace = ns, PodName = name, ServiceName = service, CpuRequestCoreHours = cpu, MemoryRequestGbHours = memory,
        StorageType = storage, StorageGbHours = gb, LoadBalancer = lb,
    };

    private static BucketKey Key(string costType, string breakdown = "") => new("aws", "", costType, Hour, breakdown, "shared:prod");

    [Fact]
    public void Kubernetes_is_compute_with_parts_storage_is_by_type_and_load_balancers_are_network()
    {
        var cost = new ClusterCost
        {
            NodeCpuCostUsd = 0.40m, NodeMemoryCostUsd = 0.20m,
            Storage = [new StorageCost("gp3", 0.10m)], LoadBalancers = [new LoadBalancerCost("public", 0.02m)],
        };
        var allocation = ClusterAllocator.Allocate(cost, [Pod("a", "a-1", "api", 1, 1, "gp3", 100, "public"), Pod("w", "w-1", "web", 3, 1)]);

        var buckets = SharedCostBuckets.From("prod", Hour, "aws", allocation);

        Assert.Equal(new BucketAmount(0.200000m, 0.100000m, 0.100000m, 0m), buckets["api"][Key("compute")]);
        Assert.Equal(new BucketAmount(0.100000m, 0m, 0m, 100m), buckets["api"][Key("storage", "gp3")]);
        Assert.Equal(new BucketAmount(0.020000m, 0m, 0m, 0m), buckets["api"][Key("network")]);
        Assert.Equal(0.40m, buckets["web"][Key("compute")].CostUsd);
        Assert.Equal(allocation.Totals.TotalUsd, buckets.Values.SelectMany(b => b.Values).Sum(a => a.CostUsd));
    }

    [Fact]
    public void A_service_that_loses_its_share_gets_explicit_zeros_and_unchanged_buckets_are_not_resent()
    {
        var before = new Dictionary<string, Dictionary<BucketKey, BucketAmount>>
        {
            ["api"] = new() { [Key("compute")] = new(1m, 0.5m, 0.5m, 0m), [Key("network")] = new(0.1m, 0, 0, 0) },
            ["web"] = new() { [Key("compute")] = new(2m, 1m, 1m, 0m) },
        };
        var after = new Dictionary<string, Dictionary<BucketKey, BucketAmount>>
        {
            ["web"] = new() { [Key("compute")] = new(2m, 1m, 1m, 0m) },
            ["batch"] = new() { [Key("compute")] = new(1m, 0.5m, 0.5m, 0m) },
        };

        var changes = SharedCostBuckets.Changes(before, after);

        Assert.Equal(["api", "batch"], changes.Keys.Order());
        Assert.All(changes["api"], u => Assert.Equal(default, u.Amount));
        Assert.Equal(2, changes["api"].Count);
        Assert.Equal(1m, changes["batch"].Single().Amount.CostUsd);
    }
}
