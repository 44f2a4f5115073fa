namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>The anomalies the harness injects (issue 19, "Find what is an anomaly").</summary>
public enum AnomalyKind
{
    /// <summary>One hour at 2.5–6× its normal cost.</summary>
    Spike,

    /// <summary>Cost × 1.7–2.5 from the onset on (or, in the long scenario, for 1–5 days).</summary>
    LevelShift,

    /// <summary>Cost growing to 1.5–2.5× over 3–7 days, then held there.</summary>
    SlowRamp,

    /// <summary>Nothing billed for 12 hours.</summary>
    DropToZero,

    /// <summary>A partial outage: cost at 0.3× for 6 hours.</summary>
    PartialOutage,
}

/// <summary>
/// An injected anomaly, in hour indexes of its series. Hours [Onset, Onset + DetectionHours) are where
/// a flag detects it; hours [Onset, IgnoreUntil) are its affected span plus recovery, where other
/// flags are neither credited nor counted as false positives.
/// </summary>
public sealed record InjectedEvent(AnomalyKind Kind, int Onset, int DetectionHours, int IgnoreUntil);

/// <summary>A later, absolute replacement of one hour's total, landing with hour <c>LandsAt</c>.</summary>
public sealed record Restatement(int LandsAt, int Hour, decimal Usd);

/// <summary>
/// One service's generated hourly series: the value each hour first lands with, the restatements
/// that follow, and the labelled anomalies. <see cref="Final"/> is the series after all restatements.
/// Hours before <see cref="FirstHour"/> hold no data (a service that started later): they are 0 in
/// the arrays, are never sent, and are not scored.
/// </summary>
public sealed record LabelledSeries(
    int Service,
    DateTime Start,
    decimal[] Initial,
    decimal[] Final,
    IReadOnlyList<Restatement> Restatements,
    IReadOnlyList<InjectedEvent> Events,
    int FirstHour = 0)
{
    /// <summary>The service's first hour with data, as a UTC hour start.</summary>
    public DateTime FirstHourUtc => Start.AddHours(FirstHour);
}
