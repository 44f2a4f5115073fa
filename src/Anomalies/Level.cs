namespace CloudSentinel.Anomalies;

/// <summary>
/// How a past sample is brought to a later level: × <see cref="Ratio"/>, or + <see cref="Offset"/> when
/// <see cref="Ratio"/> is NaN (a mostly-zero series, where ratios mean nothing). <see cref="Pairs"/> is
/// how many paired hours measured it.
/// </summary>
internal readonly record struct Level(double Ratio, double Offset, int Pairs)
{
    public static Level Same => new(1, 0, 0);

    public bool IsRatio => !double.IsNaN(Ratio);

    /// <summary>A non-negative sample never comes out below zero: costs do not go negative on their own.</summary>
    public double Apply(double sample) => IsRatio
        ? sample >= 0 ? Math.Max(0, sample * Ratio) : sample * Ratio
        : AnomalyDetector.Expected(sample, Offset);
}
