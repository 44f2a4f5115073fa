using System.Numerics;

namespace CloudSentinel.Allocation;

/// <summary>
/// The grid of one allocation: amounts are whole multiples of 10^-Decimals USD, so that
/// <see cref="LargestRemainder"/> can split exact integers. The grid is the micro-dollar (1e-6),
/// or finer when the hour's cost carries more decimals (up to 1e-18): an hour's share of a daily
/// charge of USD 0.00000037 is about 1.5e-8, and a micro-dollar grid would round it to nothing.
/// </summary>
internal readonly record struct UsdGrid
{
    public const int MinDecimals = 6;
    public const int MaxDecimals = 18;

    public static readonly UsdGrid Micro = new(MinDecimals);

    private readonly decimal _unit;
    private readonly decimal _zero;
    private readonly decimal _perUsd;

    private UsdGrid(int decimals)
    {
        Decimals = decimals;
        _unit = new decimal(1, 0, 0, false, (byte)decimals);
        _zero = new decimal(0, 0, 0, false, (byte)decimals);
        _perUsd = 1m / _unit;
    }

    public int Decimals { get; }

    /// <summary>The finest grid any of <paramref name="amounts"/> needs, at least micro-dollars.</summary>
    public static UsdGrid For(IEnumerable<decimal> amounts)
    {
        var decimals = MinDecimals;
        foreach (var amount in amounts) decimals = Math.Max(decimals, SignificantScale(amount));
        return decimals == MinDecimals ? Micro : new UsdGrid(Math.Min(decimals, MaxDecimals));
    }

    /// <summary>
    /// Rounds an amount to the grid, half away from zero. Adding a zero of the grid's scale gives
    /// every amount the same decimal places, so 1 prints as 1.000000 like the allocations.
    /// </summary>
    public decimal Round(decimal usd) => Math.Round(usd, Decimals, MidpointRounding.AwayFromZero) + _zero;

    public BigInteger ToUnits(decimal usd) => new(Round(usd) * _perUsd);

    /// <summary>Multiplying by the unit (rather than dividing) keeps the grid's decimal places, e.g. 1.000000.</summary>
    public decimal FromUnits(BigInteger units) => (decimal)units * _unit;

    /// <summary>Decimal places without trailing zeros: 1.500000 has one.</summary>
    private static int SignificantScale(decimal value)
    {
        var scale = value.Scale;
        while (scale > 0 && value == Math.Round(value, scale - 1)) scale--;
        return scale;
    }
}

/// <summary>Conversions between decimals and the exact integers that <see cref="LargestRemainder"/> works on.</summary>
internal static class ExactNumbers
{
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
