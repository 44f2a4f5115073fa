namespace CloudSentinel.Anomalies;

/// <summary>Median and MAD on caller-owned buffers, so an evaluation allocates nothing on the heap.</summary>
internal static class Robust
{
    /// <summary>Scales a median absolute deviation to a standard deviation for normal noise.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Standard error of a median relative to that of a mean, for normal noise (√(π/2)).</summary>
    public const double MedianStandardError = 1.2533;

    /// <summary>Median of <paramref name="values"/>; sorts them in place. NaN when empty.</summary>
    public static double MedianInPlace(Span<double> values)
    {
        if (values.Length == 0) return double.NaN;
        values.Sort();
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>Median of a copy of <paramref name="values"/> made in <paramref name="scratch"/>.</summary>
    public static double Median(ReadOnlySpan<double> values, Span<double> scratch)
    {
        var copy = scratch[..values.Length];
        values.CopyTo(copy);
        return MedianInPlace(copy);
    }

    /// <summary>Median absolute deviation from <paramref name="center"/>; uses <paramref name="scratch"/>.</summary>
    public static double Mad(ReadOnlySpan<double> values, double center, Span<double> scratch)
    {
        var deviations = scratch[..values.Length];
        for (var i = 0; i < values.Length; i++) deviations[i] = Math.Abs(values[i] - center);
        return MedianInPlace(deviations);
    }
}
