using System.Numerics;
using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>Someone taking part in a pool: a pod (by index), or a whole service for even splits.</summary>
internal sealed record PoolMember(int Pod, string Service, bool IsSystem, decimal Weight);

/// <summary>What a pool is, before it is split.</summary>
internal sealed record PoolHeader(string ResourceType, string Pool, ShareBasis Basis, decimal CostUsd, decimal? Capacity);

/// <summary>A split pool: the explanation, its members, and each member's amount in member order.</summary>
internal sealed record PoolResult(PoolSplit Split, IReadOnlyList<PoolMember> Members, IReadOnlyList<decimal> MemberCosts);

/// <summary>
/// Splits one pool in two levels: first among services (and idle) by their summed weight, then each
/// service's rounded amount among its own members. Rounding each level with largest remainders
/// keeps both sums exact: services add up to the pool, members add up to their service.
/// </summary>
internal static class PoolSplitter
{
    private static readonly BigInteger HundredPercent = 100_000_000;

    /// <summary>
    /// Weight of the capacity nobody used. Only <see cref="IdleMode.Separate"/> reports it; under
    /// <see cref="IdleMode.Share"/> leaving it out spreads idle cost by the members' weights.
    /// </summary>
    public static decimal IdleWeight(AllocationPolicy policy, decimal? capacity, IEnumerable<PoolMember> members) =>
        policy.IdleMode == IdleMode.Separate && capacity is { } total
            ? Math.Max(total - members.Sum(member => member.Weight), 0m)
            : 0m;

    public static PoolResult Split(PoolHeader header, IReadOnlyList<PoolMember> members, decimal idleWeight, bool shareSystem, UsdGrid grid)
    {
        var raw = ExactNumbers.ToScaledIntegers([.. members.Select(member => member.Weight), idleWeight]);
        var weights = Effective(members, raw, shareSystem, out var idle, out var systemShared);

        var recipients = members
            .Select((member, index) => (member.Service, index))
            .GroupBy(pair => pair.Service, pair => pair.index, StringComparer.Ordinal)
            .Select(group => new Recipient(group.Key, [.. group], group.Sum(i => members[i].Weight)))
            .ToList();
        if (!idle.IsZero)
        {
            recipients.Add(new Recipient(CostVocabulary.IdleService, [], idleWeight));
        }

        recipients.Sort((a, b) => string.CompareOrdinal(a.Service, b.Service));

        var recipientWeights = recipients
            .Select(r => r.Members.Count == 0 ? idle : r.Members.Aggregate(BigInteger.Zero, (acc, i) => acc + weights[i]))
            .ToList();
        var amounts = LargestRemainder.Split(grid.ToUnits(header.CostUsd), recipientWeights);
        var percents = LargestRemainder.Split(HundredPercent, recipientWeights);

        var memberCosts = new decimal[members.Count];
        var shares = new List<ShareLine>(recipients.Count);
        for (var r = 0; r < recipients.Count; r++)
        {
            var recipient = recipients[r];
            if (recipient.Members.Count > 0)
            {
                var memberParts = LargestRemainder.Split(amounts[r], [.. recipient.Members.Select(i => weights[i])]);
                for (var k = 0; k < recipient.Members.Count; k++)
                {
                    memberCosts[recipient.Members[k]] = grid.FromUnits(memberParts[k]);
                }
            }

            shares.Add(new ShareLine(
                recipient.Service,
                recipient.Weight,
                UsdGrid.Micro.FromUnits(percents[r]),
                grid.FromUnits(amounts[r])));
        }

        var split = new PoolSplit(
            header.ResourceType,
            header.Pool,
            header.Basis,
            header.CostUsd,
            header.Capacity,
            members.Sum(member => member.Weight),
            idleWeight,
            systemShared,
            shares);
        return new PoolResult(split, members, memberCosts);
    }

    /// <summary>
    /// Weights after the idle and system-namespace rules. With sharing, a non-system member's weight
    /// w becomes w·used and idle becomes idle·nonSystem: the same ratios as w/nonSystem of the used
    /// part, without a division, so they stay exact integers.
    /// </summary>
    private static BigInteger[] Effective(
        IReadOnlyList<PoolMember> members, BigInteger[] raw, bool shareSystem, out BigInteger idle, out bool systemShared)
    {
        BigInteger used = 0, nonSystem = 0;
        for (var i = 0; i < members.Count; i++)
        {
            used += raw[i];
            nonSystem += members[i].IsSystem ? 0 : raw[i];
        }

        var weights = raw[..members.Count];
        idle = raw[^1];
        systemShared = shareSystem && nonSystem > 0 && nonSystem < used;
        if (used.IsZero)
        {
            // Nobody asked for or used anything: the whole pool is idle, whatever the capacity.
            idle = BigInteger.One;
        }
        else if (systemShared)
        {
            for (var i = 0; i < members.Count; i++)
            {
                weights[i] = members[i].IsSystem ? 0 : raw[i] * used;
            }

            idle *= nonSystem;
        }

        return weights;
    }

    private sealed record Recipient(string Service, IReadOnlyList<int> Members, decimal Weight);
}
