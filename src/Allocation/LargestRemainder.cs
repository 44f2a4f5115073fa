using System.Numerics;

namespace CloudSentinel.Allocation;

/// <summary>
/// Hamilton's largest-remainder method on integers. Working on exact integers (micro-dollars,
/// weights scaled to a common power of ten) makes the parts add up to the total by construction
/// and makes ties real ties, so the tie-break order alone decides them.
/// </summary>
internal static class LargestRemainder
{
    /// <summary>
    /// Splits <paramref name="total"/> into integer parts proportional to non-negative
    /// <paramref name="weights"/>. Each part is the floor of its exact share; the units left over go
    /// one each to the largest remainders, ties to the lower index. A negative total is split as its
    /// magnitude and negated, so a credit mirrors the charge it reverses.
    /// </summary>
    public static BigInteger[] Split(BigInteger total, IReadOnlyList<BigInteger> weights)
    {
        var parts = new BigInteger[weights.Count];
        if (total.IsZero)
        {
            return parts;
        }

        if (total.Sign < 0)
        {
            var mirrored = Split(-total, weights);
            return [.. mirrored.Select(part => -part)];
        }

        var sum = weights.Aggregate(BigInteger.Zero, (acc, weight) => acc + weight);
        if (sum.IsZero)
        {
            throw new InvalidOperationException("A non-zero amount cannot be split by weights that are all zero.");
        }

        var remainders = new BigInteger[weights.Count];
        var left = total;
        for (var i = 0; i < weights.Count; i++)
        {
            parts[i] = BigInteger.DivRem(total * weights[i], sum, out remainders[i]);
            left -= parts[i];
        }

        // left < weights.Count because every remainder is below sum; OrderByDescending is stable,
        // so equal remainders keep index order.
        var winners = Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).Take((int)left);
        foreach (var i in winners)
        {
            parts[i] += 1;
        }

        return parts;
    }
}
