using System.Numerics;

namespace CloudSentinel.Allocation;

/// <summary>Conversions between decimals and the exact integers that <see cref="LargestRemainder"/> works on.</summary>
internal static class ExactNumbers
{
    private const decimal MicroUsd = 0.000001m;

    /// <summary>
    /// Rounds an input amount to the 1e-6 USD grid every output lives on. Adding 0.000000 gives
    /// every amount the same six decimal places, so 1 prints as 1.000000 like the allocations.
    /// </summary>
    public static decimal RoundUsd(decimal usd) => Math.Round(usd, 6, MidpointRounding.AwayFromZero) + 0.000000m;

    public static BigInteger ToMicros(decimal usd) => new(RoundUsd(usd) * 1_000_000m);

    /// <summary>Multiplying by 1e-6 (rather than dividing) keeps six decimal places, e.g. 1.000000.</summary>
    public static decimal FromMicros(BigInteger micros) => (decimal)micros * MicroUsd;

    /// <summary>Non-negative decimals as integers of one common scale, so their ratios are exact.</summary>
    public static BigInteger[] ToScaledIntegers(IReadOnlyList<decimal> values)
    {
        var scale = values.Count == 0 ? 0 : values.Max(value => value.Scale);
        return [.. values.Select(value => Mantissa(value) * BigInteger.Pow(10, scale - value.Scale))];
    }

    private static BigInteger Mantissa(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = new BigInteger((uint)bits[0])
            | (new BigInteger((uint)bits[1]) << 32)
            | (new BigInteger((uint)bits[2]) << 64);
        return value < 0 ? -magnitude : magnitude;
    }
}
