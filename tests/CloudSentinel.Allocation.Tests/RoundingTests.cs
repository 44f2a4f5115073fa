using System.Numerics;
using CloudSentinel.Core;
using static CloudSentinel.Allocation.Tests.Pods;

namespace CloudSentinel.Allocation.Tests;

public sealed class RoundingTests
{
    [Fact]
    public void Negative_cost_is_allocated_by_the_same_shares_as_a_charge()
    {
        var charge = new ClusterCost { NodeCpuCostUsd = 1.00m, NodeMemoryCostUsd = 0.50m, NodeOtherCostUsd = 0.10m };
        var credit = new ClusterCost { NodeCpuCostUsd = -1.00m, NodeMemoryCostUsd = -0.50m, NodeOtherCostUsd = -0.10m };
        PodUsage[] pods = [Pod("a", "a-1", "api", 1m, 2m), Pod("b", "b-1", "batch", 1m, 1m), Pod("c", "c-1", "cache", 1m, 4m)];

        var charged = ClusterAllocator.Allocate(charge, pods);
        var credited = ClusterAllocator.Allocate(credit, pods);

        Assert.Equal(
            charged.Services.Select(row => row with { AllocatedCostUsd = -row.AllocatedCostUsd }),
            credited.Services);
        Assert.Equal(-1.60m, credited.Services.Sum(row => row.AllocatedCostUsd));
    }

    [Fact]
    public void The_odd_micro_dollar_of_the_other_node_cost_goes_to_the_cpu_pool()
    {
        var cost = new ClusterCost { NodeOtherCostUsd = 0.000003m };
        PodUsage[] pods = [Pod("a", "a-1", "api", 1m, 1m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal((0.000002m, 0.000001m), (allocation.Pools[0].CostUsd, allocation.Pools[1].CostUsd));
        Assert.Equal((0.000002m, 0.000001m), (allocation.Pods[0].CpuCostUsd, allocation.Pods[0].MemoryCostUsd));
    }

    [Fact]
    public void Amounts_with_more_than_six_decimals_are_allocated_on_their_own_finer_grid_and_lose_nothing()
    {
        var cost = new ClusterCost { NodeCpuCostUsd = 0.0000005m, NodeMemoryCostUsd = -0.0000015m, NodeOtherCostUsd = 0.12345649m };
        PodUsage[] pods = [Pod("a", "a-1", "api", 1m, 1m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal(new AllocationTotals(0.0000005m, -0.0000015m, 0.12345649m, 0m, 0m), allocation.Totals);
        Assert.Equal(0.12345549m, allocation.Services.Single().AllocatedCostUsd);
    }

    [Fact]
    public void An_hour_of_a_daily_charge_far_below_a_micro_dollar_is_split_exactly()
    {
        // USD 0.00000037 a day: one hour is 0.0000000154 after the hourly spread (1e-10 grid).
        var cost = new ClusterCost { NodeCpuCostUsd = 0.0000000154m };
        PodUsage[] pods = [Pod("a", "a-1", "api", 1m, 1m), Pod("b", "b-1", "batch", 2m, 1m)];

        var allocation = ClusterAllocator.Allocate(cost, pods);

        Assert.Equal(0.0000000051m, allocation.Row(AllocationNames.Kubernetes, "api")!.AllocatedCostUsd);
        Assert.Equal(0.0000000103m, allocation.Row(AllocationNames.Kubernetes, "batch")!.AllocatedCostUsd);
        Assert.Equal(0.0000000154m, allocation.Services.Sum(row => row.AllocatedCostUsd));
    }

    [Fact]
    public void Input_amounts_finer_than_1e_18_are_rounded_half_away_from_zero()
    {
        var allocation = ClusterAllocator.Allocate(new ClusterCost { NodeCpuCostUsd = 0.0000000000000000015m }, [Pod("a", "a-1", "api", 1m, 1m)]);

        Assert.Equal(0.000000000000000002m, allocation.Totals.NodeCpuUsd);
    }

    [Fact]
    public void Amounts_carry_six_decimal_places()
    {
        var allocation = ClusterAllocator.Allocate(new ClusterCost { NodeCpuCostUsd = 1m }, [Pod("a", "a-1", "api", 1m, 1m)]);

        Assert.Equal("1.000000", allocation.Services.Single().AllocatedCostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Largest_remainder_gives_leftover_units_to_the_largest_remainders_then_the_lower_index()
    {
        Assert.Equal([4, 3, 3], LargestRemainder.Split(10, [1, 1, 1]));
        Assert.Equal([3, 7], LargestRemainder.Split(10, [1, 2]));
        Assert.Equal([0, 1, 0], LargestRemainder.Split(1, [0, 1, 1]));
        Assert.Equal([-4, -3, -3], LargestRemainder.Split(-10, [1, 1, 1]));
        Assert.Equal([BigInteger.Zero, BigInteger.Zero], LargestRemainder.Split(0, [0, 0]));
    }
}
