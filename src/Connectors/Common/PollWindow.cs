using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>The UTC interval [From, To) a poll reads. Pollers re-read a rolling window so late and restated data heals itself.</summary>
public sealed record PollWindow
{
    public PollWindow(DateTime from, DateTime to)
    {
        if (from.Kind != DateTimeKind.Utc || to.Kind != DateTimeKind.Utc) throw new ArgumentException("poll window bounds must be UTC");
        if (to <= from) throw new ArgumentException($"poll window end {to:O} is not after its start {from:O}");
        From = from;
        To = to;
    }

    public DateTime From { get; }

    public DateTime To { get; }

    /// <summary>The window widened to whole UTC days, for APIs whose finest granularity is a day.</summary>
    public PollWindow ToWholeDays()
    {
        var to = To.Date == To ? To : To.Date.AddDays(1);
        return new PollWindow(DateTime.SpecifyKind(From.Date, DateTimeKind.Utc), DateTime.SpecifyKind(to, DateTimeKind.Utc));
    }

    /// <summary>The window widened to whole UTC hours.</summary>
    public PollWindow ToWholeHours()
    {
        var from = UtcHours.HourStart(From);
        var to = UtcHours.HourStart(To) == To ? To : UtcHours.HourStart(To).AddHours(1);
        return new PollWindow(from, to);
    }

    public override string ToString() => $"[{From:O}, {To:O})";
}
