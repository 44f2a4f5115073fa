using static System.FormattableString;

namespace CloudSentinel.Anomalies;

public enum AnomalyDirection
{
    /// <summary>No expectation yet (warm-up).</summary>
    None,
    Up,
    Down,
}

public enum AnomalyVerdict
{
    /// <summary>Not enough history for a verdict; expected and z are null.</summary>
    WarmingUp,

    /// <summary>Actual and expected are both below the minimum hourly cost.</summary>
    BelowFloor,

    /// <summary>|z| at or below the threshold.</summary>
    Normal,

    /// <summary>|z| above the threshold, but the impact thresholds were not met.</summary>
    BelowImpact,

    Anomaly,
}

/// <summary>Which of the detector's rules produced a verdict (docs/anomalies.md).</summary>
public enum AnomalyRule
{
    /// <summary>The hour alone against its expectation.</summary>
    Hour,

    /// <summary>The last 3, 6 or 12 hours together against the level before them.</summary>
    Sustained,

    /// <summary>The last 24 hours against the same hours one and two weeks earlier.</summary>
    Ramp,
}

/// <summary>The verdict on one hour of one service. <see cref="Reason"/> is built only when read.</summary>
public sealed record AnomalyResult(
    DateTime Hour,
    decimal ActualUsd,
    decimal? ExpectedUsd,
    decimal? ScaleUsd,
    double? ZScore,
    AnomalyDirection Direction,
    AnomalyVerdict Verdict,
    double ZThreshold)
{
    public bool IsAnomaly => Verdict == AnomalyVerdict.Anomaly;

    /// <summary>The rule whose expected and z these are: <see cref="AnomalyRule.Hour"/> unless a window rule flagged the hour.</summary>
    public AnomalyRule Rule { get; init; } = AnomalyRule.Hour;

    /// <summary>|actual − expected| in USD; null during warm-up.</summary>
    public decimal? ImpactUsd => ExpectedUsd is { } expected ? Math.Abs(ActualUsd - expected) : null;

    /// <summary>Impact as a percent of |expected|; null during warm-up or when nothing was expected.</summary>
    public double? ImpactPercent => ExpectedUsd is { } expected && expected != 0
        ? (double)(Math.Abs(ActualUsd - expected) / Math.Abs(expected)) * 100
        : null;

    public string Reason => Verdict switch
    {
        AnomalyVerdict.WarmingUp => Invariant($"warming up: not enough history before {Hour:yyyy-MM-dd HH:mm}Z for a verdict"),
        AnomalyVerdict.BelowFloor => Invariant($"cost {ActualUsd:0.####} USD and expected {ExpectedUsd:0.####} USD are both below the minimum hourly cost"),
        _ => Invariant($"cost {ActualUsd:0.####} USD is {ImpactUsd:0.####} USD{PercentText} {(Direction == AnomalyDirection.Up ? "above" : "below")} the expected {ExpectedUsd:0.####} USD ({RuleText}z = {ZScore:0.##}, threshold {ZThreshold:0.##}, scale {ScaleUsd:0.####} USD){VerdictText}"),
    };

    private string PercentText => ImpactPercent is { } percent ? Invariant($" ({percent:0.#}%)") : "";

    private string RuleText => Rule switch
    {
        AnomalyRule.Sustained => "sustained over the last hours at the level before them, ",
        AnomalyRule.Ramp => "the last 24 hours against one and two weeks earlier, ",
        _ => "",
    };

    private string VerdictText => Verdict switch
    {
        AnomalyVerdict.Anomaly => ": anomaly",
        AnomalyVerdict.BelowImpact => ": z above threshold but impact below the configured USD/percent thresholds",
        _ => ": normal",
    };
}
