namespace CloudSentinel.Grains.Costs;

/// <summary>
/// Which ended hours of one service must be judged again because data they read has changed, so
/// that verdicts end up a function of the data and not of the order it arrived in
/// (docs/anomalies.md, "Arrival order"). A verdict on hour t reads hours [t − reach, t] and the
/// series' first hour (warm-up), so a change at h schedules [h, h + reach], and the first hour
/// moving earlier schedules everything from it. Pending hours are kept as disjoint ranges, so a
/// backfill that touches every hour costs a few ranges, not an entry per hour; scheduling an hour
/// twice before it is judged judges it once.
/// </summary>
public sealed class RejudgementQueue(int reachHours, TimeSpan warmUp)
{
    // Sorted, disjoint, non-adjacent [From, To) ranges of hour numbers (hours since 0001-01-01).
    private readonly List<(long From, long To)> _pending = [];
    private long? _first;

    /// <summary>Pending hours.</summary>
    public long Count => _pending.Sum(r => r.To - r.From);

    /// <summary>The oldest pending hour, or null when nothing is pending.</summary>
    public DateTime? Oldest => _pending.Count == 0 ? null : HourOf(_pending[0].From);

    /// <summary>
    /// Records that the amounts of <paramref name="hours"/> changed; <paramref name="firstHour"/> is the
    /// series' first hour after the change. Only hours before <paramref name="currentHour"/> are
    /// scheduled: the running hour is judged when it ends, with whatever data it has then.
    /// </summary>
    public void Changed(IEnumerable<DateTime> hours, DateTime? firstHour, DateTime currentHour)
    {
        var end = Number(currentHour);
        if (firstHour is { } first)
        {
            var number = Number(first);
            // Warm-up and every baseline start at the first hour: when it moves earlier, every verdict may change.
            if (_first is { } known && number < known) Add(number, end);
            _first = number;
        }

        foreach (var hour in hours)
        {
            var number = Number(hour);
            Add(number, Math.Min(end, number + reachHours + 1));
        }
    }

    /// <summary>Schedules every hour from <paramref name="from"/> to the running hour, e.g. on activation, when what was pending before is unknown.</summary>
    public void ScheduleFrom(DateTime from, DateTime? firstHour, DateTime currentHour)
    {
        if (firstHour is { } first) _first = Number(first);
        Add(Number(from), Number(currentHour));
    }

    /// <summary>Takes hours off the queue without judging them, e.g. those just judged on arrival.</summary>
    public void Judged(IEnumerable<DateTime> hours)
    {
        foreach (var hour in hours) Remove(Number(hour));
    }

    /// <summary>
    /// The hours to judge now, newest first (recent verdicts are the ones people page on), as many as
    /// <paramref name="grant"/> allows: it is asked for the number wanted and answers how many it grants.
    /// Hours less than the warm-up after <paramref name="firstHour"/> are dropped unjudged: no verdict
    /// there can be an anomaly, and after retention has pruned the start of a long history, judging
    /// them would clear rows that were judged with the whole history.
    /// </summary>
    public List<DateTime> Take(DateTime currentHour, DateTime? firstHour, Func<int, int> grant)
    {
        if (firstHour is not { } first)
        {
            _pending.Clear();
            return [];
        }

        Clip(Number(first.Add(warmUp)), Number(currentHour));
        var taken = new List<DateTime>();
        var wanted = Count;
        if (wanted == 0) return taken;
        long granted = grant((int)Math.Min(int.MaxValue, wanted));
        for (var i = _pending.Count - 1; i >= 0 && granted > 0; i--)
        {
            var (from, to) = _pending[i];
            var start = Math.Max(from, to - granted);
            for (var n = to - 1; n >= start; n--) taken.Add(HourOf(n));
            granted -= to - start;
            if (start == from) _pending.RemoveAt(i);
            else _pending[i] = (from, start);
        }

        return taken;
    }

    private void Add(long from, long to)
    {
        if (from >= to) return;
        var i = 0;
        while (i < _pending.Count && _pending[i].To < from) i++;
        // Merge every range that overlaps or touches [from, to).
        while (i < _pending.Count && _pending[i].From <= to)
        {
            from = Math.Min(from, _pending[i].From);
            to = Math.Max(to, _pending[i].To);
            _pending.RemoveAt(i);
        }

        _pending.Insert(i, (from, to));
    }

    private void Remove(long hour)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            var (from, to) = _pending[i];
            if (hour < from) return;
            if (hour >= to) continue;
            _pending.RemoveAt(i);
            if (hour + 1 < to) _pending.Insert(i, (hour + 1, to));
            if (from < hour) _pending.Insert(i, (from, hour));
            return;
        }
    }

    /// <summary>Keeps only pending hours in [from, to).</summary>
    private void Clip(long from, long to)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var (f, t) = _pending[i];
            var (clippedFrom, clippedTo) = (Math.Max(f, from), Math.Min(t, to));
            if (clippedFrom >= clippedTo) _pending.RemoveAt(i);
            else _pending[i] = (clippedFrom, clippedTo);
        }
    }

    private static long Number(DateTime hour) => hour.Ticks / TimeSpan.TicksPerHour;

    private static DateTime HourOf(long number) => new(number * TimeSpan.TicksPerHour, DateTimeKind.Utc);
}
