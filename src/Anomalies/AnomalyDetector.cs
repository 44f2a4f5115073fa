namespace CloudSentinel.Anomalies;

/// <summary>
/// Scores one hour of one service against a seasonal, robust baseline (docs/anomalies.md):
/// expected = median of the week and day votes, each rescaled to today's level, z = (actual − expected) / scale. Stateless and
/// thread-safe; an evaluation reads <see cref="AnomalyOptions.WindowHours"/> + 1 hours into a stack
/// buffer, so it costs O(window) and allocates only the result.
/// </summary>
public sealed class AnomalyDetector(AnomalyOptions? options = null)
{
    private readonly AnomalyOptions _options = (options ?? AnomalyOptions.Default).Validate();

    public AnomalyOptions Options => _options;

    /// <summary>Evaluates the hour starting at <paramref name="hourUtc"/> (the latest, or a restated older one).</summary>
    public AnomalyResult Evaluate(IHourlySeries series, DateTime hourUtc)
    {
        var hour = UtcHours.HourStart(hourUtc);
        var actual = series.CostAt(hour);
        if (series.FirstHour is not { } first || hour - first < _options.WarmUp)
        {
            return new AnomalyResult(hour, actual, null, null, null, AnomalyDirection.None, AnomalyVerdict.WarmingUp, _options.ZThreshold);
        }

        Span<double> buffer = stackalloc double[_options.WindowHours + 1];
        var baseline = SeasonalBaseline.Read(series, first, hour, _options, buffer);
        var (_, scale, _) = baseline.LevelAndScale();
        var expected = baseline.Expectation(out var ambiguity);
        var floored = SeasonalBaseline.Floored(Math.Max(scale, ambiguity), expected, _options);

        var expectedUsd = Math.Round((decimal)expected, 6);
        var scaleUsd = Math.Round((decimal)floored, 6);
        var z = (double)(actual - expectedUsd) / (double)scaleUsd;
        var direction = actual >= expectedUsd ? AnomalyDirection.Up : AnomalyDirection.Down;
        return new AnomalyResult(hour, actual, expectedUsd, scaleUsd, z, direction, Verdict(actual, expectedUsd, z), _options.ZThreshold);
    }

    /// <summary>The level correction never pushes a non-negative reference below zero: costs do not go negative on their own.</summary>
    internal static double Expected(double reference, double level) =>
        reference >= 0 ? Math.Max(0, reference + level) : reference + level;

    private AnomalyVerdict Verdict(decimal actual, decimal expected, double z)
    {
        var floor = _options.MinimumHourlyCostUsd;
        if (Math.Abs(actual) < floor && Math.Abs(expected) < floor) return AnomalyVerdict.BelowFloor;
        if (Math.Abs(z) <= _options.ZThreshold) return AnomalyVerdict.Normal;
        return MeetsImpact(actual, expected) ? AnomalyVerdict.Anomaly : AnomalyVerdict.BelowImpact;
    }

    private bool MeetsImpact(decimal actual, decimal expected)
    {
        var impact = Math.Abs(actual - expected);
        bool? usd = _options.MinImpactUsd is { } minUsd ? impact >= minUsd : null;
        bool? percent = _options.MinImpactPercent is { } minPercent
            ? expected == 0 ? impact > 0 : (double)(impact / Math.Abs(expected)) * 100 >= minPercent
            : null;
        return (usd, percent) switch
        {
            (null, null) => true,
            ({ } u, null) => u,
            (null, { } p) => p,
            ({ } u, { } p) => _options.ImpactCombination == ImpactCombination.And ? u && p : u || p,
        };
    }
}
