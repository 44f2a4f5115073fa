using System.Globalization;

namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// The backpressure rule as plain code. From successive readings of the log it keeps the rates at
/// which messages arrive and drain (cluster-wide: the readings are PostgreSQL's, and a drained message
/// is one that left the log, whichever silo applied it), smoothed over about
/// <see cref="SmoothingSeconds"/>. A request is refused when the apply lag is past its bound, or when
/// the backlog plus what may arrive before the next reading would reach the cap. Retry-After is the
/// time the measured drain rate needs to bring the backlog down to what it drains in half the bound,
/// so that clients come back when there is room rather than all at once.
/// </summary>
public sealed class BackpressurePolicy(BackpressureOptions options)
{
    public const double SmoothingSeconds = 5;

    /// <summary>Below this the log is taken as not draining at all.</summary>
    private const double Stalled = 0.5;

    /// <summary>
    /// The projected drain time refuses only past this backlog. A smaller one drains in seconds at any
    /// rate a cluster applies, and a rate measured while a few hundred messages trickle (silos warming
    /// up, a gateway just started) is noise: it once projected 200 messages at 1/s to 189 s and refused
    /// while they were applied in a second. A small log that truly stalls still meets the age rule.
    /// </summary>
    public const long ProjectionMinimumBacklog = 1_000;

    /// <summary>
    /// Nor before the oldest message has waited this long (or half the bound, if that is shorter): right
    /// after start-up the silos activate their grains before they drain at speed, and a rate measured
    /// then projected the ingest benchmark's first 1,000 messages to 1,597 s. A burst still meets the
    /// projection seconds after it began, long before its oldest message reaches the bound.
    /// </summary>
    public const double ProjectionMinimumAgeSeconds = 5;

    private IngestLogReading? _last;
    private bool _rated;

    public IngestLogReading? Last => _last;

    /// <summary>Messages leaving the log per second, smoothed.</summary>
    public double DrainPerSecond { get; private set; }

    /// <summary>Messages entering the log per second, smoothed.</summary>
    public double ArrivalPerSecond { get; private set; }

    public void Observe(IngestLogReading reading)
    {
        if (_last is { } last && reading.At > last.At && reading.LastSequence >= last.LastSequence)
        {
            var seconds = (reading.At - last.At).TotalSeconds;
            var arrived = reading.LastSequence - last.LastSequence;
            // Rolled-back appends use sequence numbers too, so arrivals are an upper bound, and so is what drained.
            var drained = Math.Max(0, last.Backlog + arrived - reading.Backlog);
            // The first pair of readings sets the rates; later ones move them by how much time passed.
            var weight = _rated ? 1 - Math.Exp(-seconds / SmoothingSeconds) : 1;
            DrainPerSecond += weight * (drained / seconds - DrainPerSecond);
            ArrivalPerSecond += weight * (arrived / seconds - ArrivalPerSecond);
            _rated = true;
        }
        else if (_last is { } earlier && reading.LastSequence < earlier.LastSequence)
        {
            // A restored or recreated database: the rates start again.
            DrainPerSecond = ArrivalPerSecond = 0;
            _rated = false;
        }

        if (_last is null || reading.At >= _last.At) _last = reading;
    }

    public IngestPressure Decide()
    {
        if (!options.Enabled || _last is not { } reading) return IngestPressure.None;
        var projected = reading.Backlog + ArrivalPerSecond * options.RefreshInterval.TotalSeconds;
        string? reason = null, cause = null;
        if (projected >= options.MaxBacklogMessages)
        {
            cause = IngestPressure.CapCause;
            reason = string.Create(CultureInfo.InvariantCulture,
                $"the ingest log is at its cap: {reading.Backlog:N0} messages wait to be applied (cap {options.MaxBacklogMessages:N0}, Backpressure:MaxBacklogMessages)");
        }
        else if (reading.Backlog >= ProjectionMinimumBacklog && reading.ApplyLagSeconds >= Math.Min(ProjectionMinimumAgeSeconds, options.MaxApplyLagSeconds / 2)
                 && DrainPerSecond >= Stalled && reading.Backlog / DrainPerSecond > options.MaxApplyLagSeconds)
        {
            // The oldest message's age reacts too late to a burst: what waits now takes this long at the measured rate.
            cause = IngestPressure.LagCause;
            reason = string.Create(CultureInfo.InvariantCulture,
                $"applying would fall {reading.Backlog / DrainPerSecond:0} s behind: {reading.Backlog:N0} messages wait and drain at {DrainPerSecond:0}/s, past the bound of {options.MaxApplyLagSeconds:0} s (Backpressure:MaxApplyLagSeconds)");
        }
        else if (reading.ApplyLagSeconds > options.MaxApplyLagSeconds)
        {
            cause = IngestPressure.LagCause;
            reason = string.Create(CultureInfo.InvariantCulture,
                $"applying is {reading.ApplyLagSeconds:0} s behind what was acknowledged, past the bound of {options.MaxApplyLagSeconds:0} s (Backpressure:MaxApplyLagSeconds); {reading.Backlog:N0} messages wait, draining at {DrainPerSecond:0}/s");
        }

        return reason is null ? IngestPressure.None : new IngestPressure(true, RetryAfter(reading), cause, reason);
    }

    private TimeSpan RetryAfter(IngestLogReading reading)
    {
        if (DrainPerSecond < Stalled) return TimeSpan.FromSeconds(options.MaxRetryAfterSeconds);
        var target = Math.Min(options.MaxBacklogMessages * 0.9, DrainPerSecond * options.MaxApplyLagSeconds / 2);
        var seconds = Math.Ceiling((reading.Backlog - target) / DrainPerSecond);
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, options.MaxRetryAfterSeconds));
    }
}
