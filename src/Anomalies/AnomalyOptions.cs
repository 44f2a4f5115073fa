namespace CloudSentinel.Anomalies;

/// <summary>How impact thresholds combine when both are set, as AWS Cost Anomaly Detection and Azure do.</summary>
public enum ImpactCombination
{
    /// <summary>Both the USD and the percent threshold must be reached.</summary>
    And,

    /// <summary>Either threshold is enough.</summary>
    Or,
}

/// <summary>
/// Tuning of <see cref="AnomalyDetector"/> and <see cref="MonthForecaster"/>. The defaults are the
/// ones documented in docs/anomalies.md and measured by the quality harness.
/// </summary>
public sealed record AnomalyOptions
{
    public static AnomalyOptions Default { get; } = new();

    /// <summary>
    /// |z| must be above this for an anomaly, in every rule. Not 3: over a month of hours with 20% noise
    /// a 3-sigma rule flags about two normal hours per service (issue 19 allows 0.5).
    /// </summary>
    public double ZThreshold { get; init; } = 5.5;

    /// <summary>
    /// The sustained and ramp rules' threshold, in standard errors of their medians. Lower than
    /// <see cref="ZThreshold"/>: a median of several hours has much lighter tails than one hour, and a
    /// 6-hour outage to 0.3× in 20% noise is 5 standard errors deep.
    /// </summary>
    public double WindowZThreshold { get; init; } = 4.5;

    /// <summary>The sustained rule's minimum change: the median hour of the window is at least this fraction above or below expected (a 1.7× shift is 0.7, a partial outage to 0.3× is −0.7, a benign bump at most 0.35).</summary>
    public double SustainedChange { get; init; } = 0.5;

    /// <summary>The ramp rule's minimum rise: the last 24 hours cost at least this fraction more than the same hours a week (and two weeks) earlier; steady growth of 1.2% a day is 0.087 a week.</summary>
    public double RampChange { get; init; } = 0.4;

    /// <summary>History needed before any verdict: time from the first hour with data to the evaluated hour.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Hours whose actual and expected cost are both below this (in absolute value) are never anomalies.</summary>
    public decimal MinimumHourlyCostUsd { get; init; } = 0.10m;

    /// <summary>Optional: |actual − expected| must be at least this many USD.</summary>
    public decimal? MinImpactUsd { get; init; }

    /// <summary>Optional: |actual − expected| must be at least this percent of |expected|.</summary>
    public double? MinImpactPercent { get; init; }

    /// <summary>How <see cref="MinImpactUsd"/> and <see cref="MinImpactPercent"/> combine when both are set.</summary>
    public ImpactCombination ImpactCombination { get; init; } = ImpactCombination.And;

    /// <summary>Same hour-of-week samples: this many previous weeks.</summary>
    public int Weeks { get; init; } = 4;

    /// <summary>Same hour-of-day samples: this many previous days.</summary>
    public int Days { get; init; } = 7;

    /// <summary>
    /// Recent hours that bring each seasonal sample to today's level (compared with the same hours k weeks
    /// or days earlier), and whose median residual is the forecaster's level correction.
    /// </summary>
    public int LevelHours { get; init; } = 24;

    /// <summary>Hours whose residuals give the robust scale (MAD).</summary>
    public int ScaleHours { get; init; } = 168;

    /// <summary>The scale is never below this fraction of |expected|: a flat series has MAD 0, and at z = 3 no change under 45% of expected is an anomaly.</summary>
    public double RelativeScaleFloor { get; init; } = 0.15;

    /// <summary>The scale is never below this many USD, so a near-zero expectation cannot divide by zero.</summary>
    public double AbsoluteScaleFloorUsd { get; init; } = 0.01;

    /// <summary>
    /// Hours of history the baseline reads back from the evaluated hour (the O(window) of an
    /// evaluation). Also how far forward a change reaches: a changed hour h can change the verdict of
    /// hours h to h + <see cref="WindowHours"/> and of no later one, so re-judging those is enough.
    /// </summary>
    public int WindowHours => ScaleHours + Math.Max(168 * Weeks, 24 * Days);

    /// <summary>Throws with a message naming the setting when the options cannot work.</summary>
    public AnomalyOptions Validate()
    {
        Require(ZThreshold > 0 && double.IsFinite(ZThreshold), nameof(ZThreshold), "must be a positive number");
        Require(WarmUp >= TimeSpan.FromDays(2) && WarmUp <= TimeSpan.FromDays(35), nameof(WarmUp), "must be between 2 and 35 days");
        Require(WindowZThreshold > 0 && double.IsFinite(WindowZThreshold), nameof(WindowZThreshold), "must be a positive number");
        Require(SustainedChange > 0 && double.IsFinite(SustainedChange), nameof(SustainedChange), "must be a positive number");
        Require(RampChange > 0 && double.IsFinite(RampChange), nameof(RampChange), "must be a positive number");
        Require(MinimumHourlyCostUsd >= 0, nameof(MinimumHourlyCostUsd), "must not be negative");
        Require(MinImpactUsd is null or >= 0, nameof(MinImpactUsd), "must not be negative");
        Require(MinImpactPercent is null || (MinImpactPercent >= 0 && double.IsFinite(MinImpactPercent.Value)), nameof(MinImpactPercent), "must be a non-negative number");
        Require(Weeks is >= 0 and <= 8, nameof(Weeks), "must be between 0 and 8");
        Require(Days is >= 1 and <= 14, nameof(Days), "must be between 1 and 14");
        Require(ScaleHours is >= 24 and <= 336, nameof(ScaleHours), "must be between 24 and 336");
        Require(LevelHours >= 1 && LevelHours <= ScaleHours, nameof(LevelHours), "must be between 1 and ScaleHours");
        Require(RelativeScaleFloor >= 0 && double.IsFinite(RelativeScaleFloor), nameof(RelativeScaleFloor), "must be a non-negative number");
        Require(AbsoluteScaleFloorUsd > 0 && double.IsFinite(AbsoluteScaleFloorUsd), nameof(AbsoluteScaleFloorUsd), "must be a positive number");
        return this;
    }

    private static void Require(bool ok, string name, string rule)
    {
        if (!ok) throw new ArgumentException($"Anomalies:{name} {rule}");
    }
}
