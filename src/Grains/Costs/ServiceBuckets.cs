using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Costs;

/// <summary>
/// The absolute hourly buckets of one service. Replacing, not adding, is what makes re-sent and
/// restated data safe. Buckets are kept as columns: one <see cref="BucketSeries"/> per (provider,
/// account, cost type, breakdown, source), holding an array slot per hour, so 35 days of a series
/// cost 3 to 9 bytes an hour (the amount as a fixed-point integer, a byte of sequence, a presence
/// bit) instead of dictionary entries with a key each. With more
/// than one series, each hour's total is kept up to date in its own column as buckets are replaced.
/// </summary>
public sealed class ServiceBuckets
{
    /// <summary>Series count from which <see cref="SeriesOf"/> looks a key up instead of scanning the series.</summary>
    public const int IndexedFrom = 16;

    private readonly List<BucketSeries> _series = [];

    // The series by key, once there are IndexedFrom of them. A service has a few series; the overflow
    // service has one per folded service (issue 10), and scanning 100,000 of them for each of a
    // message's 10,000 buckets held one grain turn for seconds. A set of the series themselves, looked
    // up by key, costs 16 bytes a series where a dictionary keyed by a copy of the key costs about 125.
    private HashSet<BucketSeries>? _index;

    // Hour totals and bucket counts over all series; null while there is one series, which is its own total.
    private HourColumn? _totals;

    public int Count { get; private set; }

    /// <summary>The first hour that holds data, or null when there is none.</summary>
    public DateTime? FirstHour
    {
        get
        {
            DateTime? first = null;
            foreach (var series in _series)
            {
                if (series.FirstHour is { } hour && (first is null || hour < first)) first = hour;
            }

            return first;
        }
    }

    /// <summary>The hours that hold data, in order, with their totals: what the windows read.</summary>
    public IEnumerable<(DateTime Hour, decimal TotalUsd)> HourTotals()
    {
        if (_totals is not null) return _totals.Hours();
        return _series.Count == 1 ? _series[0].HourCosts() : [];
    }

    /// <summary>The buckets of one hour.</summary>
    public IEnumerable<(BucketKey Key, BucketAmount Amount)> BucketsAt(DateTime hour)
    {
        hour = Utc(hour);
        foreach (var series in _series)
        {
            if (series.TryGet(hour, out var amount, out _)) yield return (series.KeyAt(hour), amount);
        }
    }

    /// <summary>Sets a bucket to its absolute amount. Returns false when nothing changed.</summary>
    public bool Set(BucketKey key, BucketAmount amount) => Set(key, amount, 0) == BucketChange.Changed;

    /// <summary>
    /// Sets a bucket to its absolute amount as written by ingest message <paramref name="sequence"/>.
    /// A message older than the one that last wrote the bucket is <see cref="BucketChange.Stale"/> and changes nothing.
    /// </summary>
    public BucketChange Set(BucketKey key, BucketAmount amount, long sequence)
    {
        var hour = Utc(key.Hour);
        var series = SeriesOf(key);
        var had = series.TryGet(hour, out var old, out var oldSequence);
        if (had && oldSequence > sequence) return BucketChange.Stale;
        series.Set(hour, amount, sequence);
        if (had && old == amount) return BucketChange.Unchanged;
        if (!had) Count++;
        _totals?.Add(hour, amount.CostUsd - (had ? old.CostUsd : 0m));
        return BucketChange.Changed;
    }

    /// <summary>Applies a batch and returns the updates that changed something.</summary>
    public List<BucketUpdate> Apply(IEnumerable<BucketUpdate> updates) => Apply(updates, 0).Changed;

    /// <summary>
    /// Applies ingest message <paramref name="sequence"/>: <c>Current</c> are its updates that are not
    /// stale (what must be stored with the sequence), <c>Changed</c> those of them that moved an amount.
    /// </summary>
    public (List<BucketUpdate> Current, List<BucketUpdate> Changed) Apply(IEnumerable<BucketUpdate> updates, long sequence)
    {
        var current = new List<BucketUpdate>();
        var changed = new List<BucketUpdate>();
        foreach (var update in updates)
        {
            var change = Set(update.Key, update.Amount, sequence);
            if (change == BucketChange.Stale) continue;
            current.Add(update);
            if (change == BucketChange.Changed) changed.Add(update);
        }

        return (current, changed);
    }

    /// <summary>Forgets hours before <paramref name="cutoff"/>; they stay in PostgreSQL.</summary>
    public int PruneBefore(DateTime cutoff)
    {
        cutoff = Utc(cutoff);
        var removed = 0;
        foreach (var series in _series) removed += series.PruneBefore(cutoff);
        if (_series.RemoveAll(s => s.Count == 0) > 0) _index = Index(_series);
        _totals?.PruneBefore(cutoff);
        if (_series.Count <= 1) _totals = null;
        Count -= removed;
        return removed;
    }

    /// <summary>Each provider's newest hour with data before <paramref name="before"/>.</summary>
    public IEnumerable<(string Provider, DateTime Hour)> LatestHourByProvider(DateTime before)
    {
        var latest = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var series in _series)
        {
            if (series.LatestHourBefore(Utc(before)) is not { } hour) continue;
            if (!latest.TryGetValue(series.Provider, out var known) || hour > known) latest[series.Provider] = hour;
        }

        return latest.Select(p => (p.Key, p.Value));
    }

    public decimal TotalOf(DateTime hour)
    {
        hour = Utc(hour);
        if (_totals is not null) return _totals.TotalOf(hour);
        return _series.Count == 1 ? _series[0].CostAt(hour) : 0m;
    }

    private BucketSeries SeriesOf(BucketKey key)
    {
        if (_index is not null)
        {
            if (_index.GetAlternateLookup<BucketKey>().TryGetValue(key, out var indexed)) return indexed;
        }
        else
        {
            foreach (var series in _series)
            {
                if (series.Matches(key)) return series;
            }
        }

        var added = new BucketSeries(key);
        _series.Add(added);
        if (_index is not null) _index.Add(added);
        else if (_series.Count == IndexedFrom) _index = Index(_series);
        if (_series.Count == 2)
        {
            // From the second series on, hour totals need a column of their own.
            _totals = new HourColumn();
            foreach (var (hour, cost) in _series[0].HourCosts()) _totals.Add(hour, cost);
        }

        return added;
    }

    private static HashSet<BucketSeries>? Index(List<BucketSeries> series) =>
        series.Count >= IndexedFrom ? new HashSet<BucketSeries>(series, SeriesByKey.Instance) : null;

    /// <summary>Series are equal when their keys are, and a bucket's key finds its series (the hour is not part of it).</summary>
    private sealed class SeriesByKey : IEqualityComparer<BucketSeries>, IAlternateEqualityComparer<BucketKey, BucketSeries>
    {
        public static readonly SeriesByKey Instance = new();

        public bool Equals(BucketSeries? x, BucketSeries? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SeriesKey == y.SeriesKey);

        public int GetHashCode(BucketSeries series) => series.SeriesKey.GetHashCode();

        public bool Equals(BucketKey key, BucketSeries series) => series.Matches(key);

        public int GetHashCode(BucketKey key) => (key with { Hour = default }).GetHashCode();

        public BucketSeries Create(BucketKey key) => new(key);
    }

    private static DateTime Utc(DateTime hour) => hour.Kind == DateTimeKind.Utc ? hour : DateTime.SpecifyKind(hour, DateTimeKind.Utc);
}

public enum BucketChange
{
    /// <summary>The same amount (a re-sent request).</summary>
    Unchanged,

    Changed,

    /// <summary>Older than the message that last wrote the bucket: ignored.</summary>
    Stale,
}

/// <summary>
/// The total cost of each hour over all of a service's series, and whether any bucket holds it (a
/// bit: buckets are replaced, never removed, so an hour holds data from its first bucket until it
/// is pruned).
/// </summary>
public sealed class HourColumn : HourWindow
{
    private FixedPointColumn _total = new(0);
    private ulong[] _present = [];

    public void Add(DateTime hour, decimal cost)
    {
        var slot = EnsureSlot(hour);
        _total.Add(slot, cost);
        _present[slot >> 6] |= 1UL << (slot & 63);
    }

    public decimal TotalOf(DateTime hour) => SlotOf(hour) is var slot and >= 0 ? _total[slot] : 0m;

    public IEnumerable<(DateTime Hour, decimal TotalUsd)> Hours()
    {
        for (var slot = 0; slot < Capacity; slot++)
        {
            if (IsSet(_present, slot)) yield return (HourAt(slot), _total[slot]);
        }
    }

    public void PruneBefore(DateTime cutoff) => DropBefore(cutoff);

    protected override void Resize(int offset, int capacity)
    {
        _total = _total.Moved(offset, capacity);
        _present = MovedBits(_present, offset, capacity);
    }

    protected override void Shift(int drop, int keep)
    {
        _total = _total.Shifted(drop, keep);
        _present = MovedBits(_present, -drop, keep);
    }
}
