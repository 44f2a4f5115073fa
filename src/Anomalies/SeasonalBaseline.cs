namespace CloudSentinel.Anomalies;

/// <summary>
/// The seasonal, robust baseline shared by the detector and the forecaster, over a window of
/// hourly values read once into a caller-owned buffer (index i is hour <c>Start + i</c>, the last
/// index is the anchor hour; NaN marks hours before the series began).
/// </summary>
internal readonly ref struct SeasonalBaseline
{
    private const int HoursPerDay = 24;
    private const int HoursPerWeek = 168;

    private readonly ReadOnlySpan<double> _values;
    private readonly AnomalyOptions _options;

    private SeasonalBaseline(ReadOnlySpan<double> values, AnomalyOptions options)
    {
        _values = values;
        _options = options;
    }

    /// <summary>Index of the anchor hour, the last one read.</summary>
    public int Anchor => _values.Length - 1;

    public double this[int index] => _values[index];

    /// <summary>Reads <see cref="AnomalyOptions.WindowHours"/> hours up to and including <paramref name="anchorHour"/>.</summary>
    public static SeasonalBaseline Read(IHourlySeries series, DateTime firstHour, DateTime anchorHour, AnomalyOptions options, Span<double> buffer)
    {
        var start = anchorHour.AddHours(-options.WindowHours);
        for (var i = 0; i < buffer.Length; i++)
        {
            var hour = start.AddHours(i);
            buffer[i] = hour < firstHour ? double.NaN : (double)series.CostAt(hour);
        }

        return new SeasonalBaseline(buffer, options);
    }

    /// <summary>
    /// Seasonal reference of the hour at <paramref name="index"/>, using only hours at or before
    /// <paramref name="lastKnown"/>: the median of the same hour-of-week over the last
    /// <c>Weeks</c> known weeks together with one more value, the median of the same hour-of-day over
    /// the last <c>Days</c> known days. NaN when no earlier day is known.
    /// </summary>
    public double Reference(int index, int lastKnown) => Reference(index, lastKnown, out _);

    /// <summary>
    /// As <see cref="Reference(int, int)"/>, and the reference's own uncertainty: with a single week
    /// sample the reference is the midpoint of that week and the day median, and nothing yet says
    /// which of the two is right (a weekly pattern, or last week's one-off), so half their distance is
    /// returned as an extra scale. Zero otherwise: two or more weeks settle it by the median.
    /// </summary>
    public double Reference(int index, int lastKnown, out double ambiguity)
    {
        ambiguity = 0;
        Span<double> days = stackalloc double[_options.Days];
        var dayCount = Collect(index, lastKnown, HoursPerDay, days);
        if (dayCount == 0) return double.NaN;

        Span<double> pooled = stackalloc double[_options.Weeks + 1];
        var weekCount = Collect(index, lastKnown, HoursPerWeek, pooled[.._options.Weeks]);
        pooled[weekCount] = Robust.MedianInPlace(days[..dayCount]);
        if (weekCount == 1) ambiguity = Math.Abs(pooled[0] - pooled[1]) / 2;
        return Robust.MedianInPlace(pooled[..(weekCount + 1)]);
    }

    /// <summary>
    /// Expected value of the anchor hour t, from the hours before it, as the median of votes that
    /// each compare like with like. Week vote k: the same hour-of-week sample x(t − 168k) brought to
    /// today's level by the last <c>LevelHours</c> hours against the same hours k weeks earlier
    /// (<see cref="Rescale"/>). Day vote: the median of the same hour over the last <c>Days</c> days,
    /// brought to today's level by the last <c>LevelHours</c> hours against their own day medians.
    /// An event in one past week spoils that week's vote only, which the median drops; one level
    /// measured against a mix of samples and applied to another mix would carry the event forward.
    /// <paramref name="ambiguity"/> is the votes' median absolute deviation from the result: votes
    /// that disagree (one week of history, or an event in half the weeks) widen the scale instead of
    /// being trusted. With two votes it is half their distance. NaN when no earlier day is known.
    /// </summary>
    public double Expectation(out double ambiguity)
    {
        Span<Level> levels = stackalloc Level[_options.Weeks + 1];
        Levels(Anchor - 1, levels);
        return Vote(Anchor, levels, out ambiguity);
    }

    /// <summary>
    /// The level of each vote (week lags 1..<c>Weeks</c>, then the day vote) measured on the
    /// <c>LevelHours</c> hours up to and including <paramref name="levelEnd"/>: each later hour is
    /// then expected at that level, so an event after <paramref name="levelEnd"/> cannot raise its own
    /// expectation. A lag without paired hours keeps the sample as it is.
    /// </summary>
    public void Levels(int levelEnd, Span<Level> levels)
    {
        Span<double> recent = stackalloc double[_options.LevelHours];
        Span<double> older = stackalloc double[_options.LevelHours];
        Span<double> scratch = stackalloc double[_options.LevelHours];
        Span<double> days = stackalloc double[_options.Days];
        for (var k = 1; k <= _options.Weeks; k++)
        {
            var lag = HoursPerWeek * k;
            var pairs = 0;
            for (var h = levelEnd; h > levelEnd - _options.LevelHours && h - lag >= 0 && !double.IsNaN(_values[h - lag]); h--)
            {
                recent[pairs] = _values[h];
                older[pairs++] = _values[h - lag];
            }

            levels[k - 1] = Rescale(recent[..pairs], older[..pairs], scratch);
        }

        var dayPairs = 0;
        for (var h = levelEnd; h > levelEnd - _options.LevelHours && h >= 0; h--)
        {
            var known = Collect(h, h - 1, HoursPerDay, days);
            if (known == 0) break;
            recent[dayPairs] = _values[h];
            older[dayPairs++] = Robust.MedianInPlace(days[..known]);
        }

        levels[_options.Weeks] = Rescale(recent[..dayPairs], older[..dayPairs], scratch);
    }

    /// <summary>
    /// The median of the votes for hour <paramref name="index"/> at the given <paramref name="levels"/>,
    /// and their median absolute deviation. Week votes stop at the first lag without a known sample;
    /// the day vote uses the same hour of the last <c>Days</c> days before <paramref name="index"/>.
    /// NaN when no earlier day is known.
    /// </summary>
    public double Vote(int index, ReadOnlySpan<Level> levels, out double ambiguity)
    {
        ambiguity = 0;
        Span<double> votes = stackalloc double[_options.Weeks + 1];
        Span<double> voteScratch = stackalloc double[_options.Weeks + 1];
        Span<double> days = stackalloc double[_options.Days];
        var weekCount = 0;
        for (var k = 1; k <= _options.Weeks; k++)
        {
            var lag = HoursPerWeek * k;
            if (index - lag < 0 || double.IsNaN(_values[index - lag])) break;
            votes[weekCount++] = levels[k - 1].Apply(_values[index - lag]);
        }

        var dayCount = Collect(index, index - 1, HoursPerDay, days);
        if (dayCount == 0) return double.NaN;
        votes[weekCount] = levels[_options.Weeks].Apply(Robust.MedianInPlace(days[..dayCount]));
        var all = votes[..(weekCount + 1)];
        var expected = Robust.Median(all, voteScratch);
        ambiguity = Robust.Mad(all, expected, voteScratch);
        return expected;
    }

    /// <summary>
    /// The level that brings a past sample to today's: × the median ratio recent / older over the
    /// paired hours, because costs scale (a shift or growth multiplies the daily and weekly shape, so a
    /// ratio measured on Sunday hours still holds on Monday morning, where a difference would not).
    /// When fewer than half of the older values are positive (a service that is mostly zero, or
    /// credits) a ratio means nothing, and the median difference recent − older is added instead.
    /// </summary>
    private static Level Rescale(ReadOnlySpan<double> recent, ReadOnlySpan<double> older, Span<double> scratch)
    {
        if (recent.Length == 0) return Level.Same;
        var ratios = 0;
        for (var i = 0; i < recent.Length; i++)
        {
            if (older[i] > 0) scratch[ratios++] = recent[i] / older[i];
        }

        if (2 * ratios >= recent.Length) return new Level(Robust.MedianInPlace(scratch[..ratios]), 0, recent.Length);
        for (var i = 0; i < recent.Length; i++) scratch[i] = recent[i] - older[i];
        return new Level(double.NaN, Robust.MedianInPlace(scratch[..recent.Length]), recent.Length);
    }

    /// <summary>
    /// Residuals (actual − reference) of the <c>ScaleHours</c> hours before the anchor, oldest first,
    /// into <paramref name="residuals"/>; returns how many there are and how many of them fall in the
    /// last <c>LevelHours</c> hours (they are the tail of the span). A residual is shrunk toward zero
    /// by its reference's ambiguity: in the second week of history a weekend hour is judged against a
    /// midpoint of weekend and weekday, and that gap is not a change of level. With
    /// <paramref name="relative"/>, each residual is divided by its reference (at least
    /// <c>MinimumHourlyCostUsd</c>, below which no verdict is given anyway): cost noise is
    /// multiplicative, so a peak hour's residuals are larger in USD than a night hour's, and one USD
    /// scale for both would be too narrow at the peak and too wide at night.
    /// </summary>
    public (int Count, int LevelCount) Residuals(Span<double> residuals, bool relative = false)
    {
        var divisionFloor = Math.Max((double)_options.MinimumHourlyCostUsd, _options.AbsoluteScaleFloorUsd);
        int count = 0, levelCount = 0;
        var levelFrom = Anchor - _options.LevelHours;
        for (var i = Anchor - _options.ScaleHours; i < Anchor; i++)
        {
            if (double.IsNaN(_values[i])) continue;
            var reference = Reference(i, i - 1, out var ambiguity);
            if (double.IsNaN(reference)) continue;
            var residual = _values[i] - reference;
            residuals[count++] = relative
                ? residual / Math.Max(Math.Abs(reference), divisionFloor)
                : Math.Sign(residual) * Math.Max(0, Math.Abs(residual) - ambiguity);
            if (i >= levelFrom) levelCount++;
        }

        return (count, levelCount);
    }

    /// <summary>The recent level correction and the robust residual scale (before floors) of the hours before the anchor.</summary>
    public (double Level, double Scale, int LevelCount) LevelAndScale()
    {
        Span<double> residuals = stackalloc double[_options.ScaleHours];
        Span<double> scratch = stackalloc double[_options.ScaleHours];
        var (count, levelCount) = Residuals(residuals);
        if (count == 0) return (0, 0, 0);

        var level = levelCount == 0 ? 0 : Robust.Median(residuals.Slice(count - levelCount, levelCount), scratch);
        var all = residuals[..count];
        var center = Robust.Median(all, scratch);
        return (level, Robust.MadToSigma * Robust.Mad(all, center, scratch), levelCount);
    }

    /// <summary>
    /// The robust scale of the relative residuals of the hours before the anchor, the noise of one hour
    /// as a fraction of its expectation, above and below their median: 1.4826 × the median distance
    /// from the median of the residuals on that side (for symmetric noise both are the MAD scale).
    /// Residuals divided by a noisy reference have a longer upper tail than lower one, and one MAD
    /// for both sides would be too narrow upward.
    /// </summary>
    public (double Up, double Down) RelativeScale()
    {
        Span<double> residuals = stackalloc double[_options.ScaleHours];
        Span<double> ups = stackalloc double[_options.ScaleHours];
        Span<double> downs = stackalloc double[_options.ScaleHours];
        var (count, _) = Residuals(residuals, relative: true);
        if (count == 0) return (0, 0);
        var all = residuals[..count];
        var center = Robust.Median(all, ups);

        // A residual at the median is a zero deviation on both sides, as in the symmetric MAD.
        int up = 0, down = 0;
        foreach (var r in all)
        {
            if (r >= center) ups[up++] = r - center;
            if (r <= center) downs[down++] = center - r;
        }

        return (Robust.MadToSigma * Robust.MedianInPlace(ups[..up]), Robust.MadToSigma * Robust.MedianInPlace(downs[..down]));
    }

    /// <summary>Applies the documented floors to a residual scale.</summary>
    public static double Floored(double scale, double expected, AnomalyOptions options) =>
        Math.Max(scale, Math.Max(options.RelativeScaleFloor * Math.Abs(expected), options.AbsoluteScaleFloorUsd));

    private int Collect(int index, int lastKnown, int step, Span<double> into)
    {
        var count = 0;
        for (var j = index - step; j >= 0 && count < into.Length; j -= step)
        {
            if (j > lastKnown) continue;
            var value = _values[j];
            if (double.IsNaN(value)) break;
            into[count++] = value;
        }

        return count;
    }
}
