using CloudSentinel.Core;

namespace CloudSentinel.Anomalies;

/// <summary>
/// Judges one hour of one service against a seasonal, robust baseline (docs/anomalies.md) with three
/// rules, in order: the hour alone (z of the hour against the median of the week and day votes), a
/// sustained change (the median ratio of the last 3, 6 or 12 hours to what was expected at the level
/// before them), and a ramp (the last 24 hours against the same hours one and two weeks earlier, up
/// only). A pure function of the series: no state is kept between calls, so re-judging hours in any
/// order gives the same verdicts. An evaluation reads <see cref="AnomalyOptions.WindowHours"/> + 1
/// hours into a stack buffer, so it costs O(window) and allocates only the result.
/// </summary>
public sealed class AnomalyDetector(AnomalyOptions? options = null)
{
    /// <summary>The sustained rule's windows, in hours: short enough to flag a 6-hour outage, long enough to see a 1.7× shift through 20% noise.</summary>
    public static IReadOnlyList<int> SustainedWindows { get; } = [3, 6, 12];

    private const int HoursPerWeek = 168;

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
        var (upScale, downScale) = baseline.RelativeScale();
        var expected = baseline.Expectation(out var ambiguity);
        var relativeScale = (double)actual >= expected ? upScale : downScale;
        var noise = Math.Max(relativeScale * Math.Abs(expected), ambiguity);
        var floored = SeasonalBaseline.Floored(noise, expected, _options);

        var expectedUsd = Math.Round((decimal)expected, 6);
        var scaleUsd = Math.Round((decimal)floored, 6);
        var z = (double)(actual - expectedUsd) / (double)scaleUsd;
        var hourly = Result(hour, actual, expectedUsd, scaleUsd, z, AnomalyRule.Hour);
        if (hourly.Verdict is AnomalyVerdict.Anomaly or AnomalyVerdict.BelowFloor) return hourly;

        // Relative noise of one hour, for the standard errors of the window rules, floored like the
        // hour's scale so that a flat series gets a z that means something.
        if (!(expected > 0)) return hourly;
        var relativeNoise = Math.Max(noise / expected, _options.RelativeScaleFloor);
        foreach (var window in SustainedWindows)
        {
            if (Sustained(baseline, window, relativeNoise) is { } hit && Result(hour, actual, hit.Expected, scaleUsd, hit.Z, AnomalyRule.Sustained) is { IsAnomaly: true } sustained) return sustained;
        }

        return Ramp(baseline, relativeNoise) is { } ramp && Result(hour, actual, ramp.Expected, scaleUsd, ramp.Z, AnomalyRule.Ramp) is { IsAnomaly: true } rising
            ? rising
            : hourly;
    }

    /// <summary>The level correction never pushes a non-negative reference below zero: costs do not go negative on their own.</summary>
    internal static double Expected(double reference, double level) =>
        reference >= 0 ? Math.Max(0, reference + level) : reference + level;

    /// <summary>
    /// The last <paramref name="window"/> hours (the anchor the last of them) against their votes at the
    /// level measured on the <c>LevelHours</c> before the window: a change that lasts is not absorbed
    /// into its own expectation. The same must hold against last week's vote alone: the day vote carries
    /// a Sunday's level into Monday (its samples are mostly weekdays), and in the first weeks the
    /// median of two or three votes can lean on it. Fires when the median ratio actual / expected differs from 1 by at
    /// least <c>SustainedChange</c> and by <c>WindowZThreshold</c> standard errors of a median of that many
    /// hours, and the anchor hour itself is at least <c>SustainedChange</c> off on the same side.
    /// </summary>
    private (decimal Expected, double Z)? Sustained(SeasonalBaseline baseline, int window, double relativeNoise)
    {
        var from = baseline.Anchor - window + 1;
        // Only with a full day before the window that has its week-ago pair: in the first day after the
        // warm-up the votes' levels rest on a few hours and a window of them is not worth a page.
        var pairFrom = from - _options.LevelHours - HoursPerWeek;
        if (pairFrom < 0 || double.IsNaN(baseline[pairFrom])) return null;
        Span<Level> levels = stackalloc Level[_options.Weeks + 1];
        baseline.Levels(from - 1, levels);
        Span<double> ratios = stackalloc double[window];
        Span<double> weekRatios = stackalloc double[window];
        var anchorExpected = 0.0;
        for (var i = 0; i < window; i++)
        {
            var h = from + i;
            var vote = baseline.Vote(h, levels, out _);
            var weekVote = levels[0].Apply(baseline[h - HoursPerWeek]);
            if (!(vote > 0) || !(weekVote > 0)) return null;
            ratios[i] = baseline[h] / vote;
            weekRatios[i] = baseline[h] / weekVote;
            anchorExpected = vote;
        }

        var anchorChange = ratios[window - 1] - 1;
        var change = InnerChange(ratios, Math.Sign(anchorChange));
        var weekChange = InnerChange(weekRatios, Math.Sign(anchorChange));
        var standardError = Robust.MedianStandardError * relativeNoise / Math.Sqrt(window);
        var needed = Math.Max(_options.SustainedChange, _options.WindowZThreshold * standardError);
        if (Math.Abs(anchorChange) < _options.SustainedChange || Math.Abs(change) < needed || Math.Abs(weekChange) < needed) return null;
        return (Math.Round((decimal)anchorExpected, 6), Math.Sign(change) * Math.Min(Math.Abs(change), Math.Abs(weekChange)) / standardError);
    }

    /// <summary>
    /// How far the window's ratios are beyond 1 in <paramref name="direction"/>, read not at the median
    /// but a quarter of the way in from the side of 1 (all 3 of 3, 5 of 6, 9 of 12 hours are at least
    /// that far): a spike and one noisy hour after it are two of three hours, not a shift. Zero when
    /// that hour is on the other side of 1. Sorts <paramref name="ratios"/>.
    /// </summary>
    private static double InnerChange(Span<double> ratios, int direction)
    {
        ratios.Sort();
        var inner = ratios.Length / 4;
        var change = (direction > 0 ? ratios[inner] : ratios[^(inner + 1)]) - 1;
        return Math.Sign(change) == direction ? change : 0;
    }

    /// <summary>
    /// The last <c>LevelHours</c> hours against the same hours one and two weeks earlier: the smaller of
    /// the two median ratios (so an outage in one of those weeks does not make today look high) must
    /// be at least 1 + <c>RampChange</c> and <c>WindowZThreshold</c> standard errors. Up only: a cost that
    /// falls back after an event is not a new one. Needs a full week-ago day.
    /// </summary>
    private (decimal Expected, double Z)? Ramp(SeasonalBaseline baseline, double relativeNoise)
    {
        Span<Level> levels = stackalloc Level[_options.Weeks + 1];
        if (_options.Weeks == 0) return null;
        baseline.Levels(baseline.Anchor, levels);
        var ratio = double.NaN;
        for (var k = 1; k <= Math.Min(2, _options.Weeks); k++)
        {
            var level = levels[k - 1];
            if (!level.IsRatio || level.Pairs < _options.LevelHours) break;
            ratio = double.IsNaN(ratio) ? level.Ratio : Math.Min(ratio, level.Ratio);
        }

        if (!(ratio > 1)) return null;
        var standardError = Robust.MedianStandardError * Math.Sqrt(2) * relativeNoise / Math.Sqrt(_options.LevelHours);
        if (ratio - 1 < Math.Max(_options.RampChange, _options.WindowZThreshold * standardError)) return null;
        return (Math.Round((decimal)(baseline[baseline.Anchor] / ratio), 6), (ratio - 1) / standardError);
    }

    private AnomalyResult Result(DateTime hour, decimal actual, decimal expected, decimal scale, double z, AnomalyRule rule)
    {
        var threshold = rule == AnomalyRule.Hour ? _options.ZThreshold : _options.WindowZThreshold;
        var direction = actual >= expected ? AnomalyDirection.Up : AnomalyDirection.Down;
        return new(hour, actual, expected, scale, z, direction, Verdict(actual, expected, z, threshold), threshold) { Rule = rule };
    }

    private AnomalyVerdict Verdict(decimal actual, decimal expected, double z, double threshold)
    {
        var floor = _options.MinimumHourlyCostUsd;
        if (Math.Abs(actual) < floor && Math.Abs(expected) < floor) return AnomalyVerdict.BelowFloor;
        if (Math.Abs(z) <= threshold) return AnomalyVerdict.Normal;
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
