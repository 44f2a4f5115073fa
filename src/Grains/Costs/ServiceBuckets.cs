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
    private readonly List<BucketSeries> _series = [];

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
        _series.RemoveAll(s => s.Count == 0);
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
        foreach (var series in _series)
        {
            if (series.Matches(key)) return series;
        }

        var added = new BucketSeries(key);
        _series.Add(added);
        if (_series.Count == 2)
        {
            // From the second series on, hour totals need a column of their own.
            _totals = new HourColumn();
            foreach (var (hour, cost) in _series[0].HourCosts()) _totals.Add(hour, cost);
        }

        return added;
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
/// A window of consecutive hours, starting at <see cref="Origin"/>, that grows to take any hour and
/// shrinks when hours before a cutoff are dropped. The columns that derive from it keep one slot per hour.
/// </summary>
public abstract class HourWindow
{
    private const int MinimumGrowth = 48;

    protected DateTime Origin { get; private set; }

    protected int Capacity { get; private set; }

    /// <summary>The slot of <paramref name="hour"/>, or -1 when it is outside the window.</summary>
    protected int SlotOf(DateTime hour)
    {
        if (Capacity == 0 || hour < Origin) return -1;
        var slot = (hour.Ticks - Origin.Ticks) / TimeSpan.TicksPerHour;
        return slot < Capacity ? (int)slot : -1;
    }

    /// <summary>The slot of <paramref name="hour"/>, growing the window (with room to spare) when it is outside.</summary>
    protected int EnsureSlot(DateTime hour)
    {
        if (SlotOf(hour) is var slot and >= 0) return slot;
        if (Capacity == 0)
        {
            Origin = hour;
            Capacity = 1;
            Resize(0, Capacity);
            return 0;
        }

        var end = Origin.AddHours(Capacity);
        if (hour < Origin)
        {
            // Earlier hours: room before, as restatements and backfills walk backwards.
            var needed = (int)((Origin.Ticks - hour.Ticks) / TimeSpan.TicksPerHour);
            var grow = Math.Max(needed, Math.Max(Capacity / 4, MinimumGrowth));
            Origin = Origin.AddHours(-grow);
            Resize(grow, Capacity + grow);
            Capacity += grow;
        }
        else
        {
            var needed = (int)((hour.Ticks - end.Ticks) / TimeSpan.TicksPerHour) + 1;
            var grow = Math.Max(needed, Math.Max(Capacity / 4, MinimumGrowth));
            Resize(0, Capacity + grow);
            Capacity += grow;
        }

        return SlotOf(hour);
    }

    /// <summary>Drops the slots before <paramref name="cutoff"/>.</summary>
    protected void DropBefore(DateTime cutoff)
    {
        if (Capacity == 0 || cutoff <= Origin) return;
        var drop = (int)Math.Min(Capacity, (cutoff.Ticks - Origin.Ticks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour);
        Shift(drop, Capacity - drop);
        Origin = Origin.AddHours(drop);
        Capacity -= drop;
    }

    protected DateTime HourAt(int slot) => Origin.AddHours(slot);

    /// <summary>Re-allocates the columns to <paramref name="capacity"/> slots, the old slot 0 moving to <paramref name="offset"/>.</summary>
    protected abstract void Resize(int offset, int capacity);

    /// <summary>Moves the last <paramref name="keep"/> slots, from slot <paramref name="drop"/> on, to the front.</summary>
    protected abstract void Shift(int drop, int keep);

    /// <summary>
    /// A column of <paramref name="capacity"/> slots holding the <paramref name="count"/> slots of
    /// <paramref name="column"/> from <paramref name="from"/> on, at <paramref name="to"/>: growing
    /// (room before or after) and dropping the first slots are both this copy.
    /// </summary>
    public static T[] Remapped<T>(T[] column, int from, int to, int count, int capacity)
    {
        var remapped = new T[capacity];
        Array.Copy(column, from, remapped, to, count);
        return remapped;
    }

    /// <summary>The (from, to, count) of <see cref="Remapped"/> that moves slot 0 of a column of <paramref name="length"/> slots to <paramref name="offset"/> in <paramref name="capacity"/>.</summary>
    public static (int From, int To, int Count) Move(int length, int offset, int capacity) => (0, offset, Math.Min(length, capacity - offset));

    protected static bool IsSet(ulong[] bits, int slot) => (bits[slot >> 6] & (1UL << (slot & 63))) != 0;

    /// <summary>The bitmap of <paramref name="bits"/> with every bit moved by <paramref name="offset"/> slots, sized for <paramref name="capacity"/>.</summary>
    protected static ulong[] MovedBits(ulong[] bits, int offset, int capacity)
    {
        var moved = new ulong[(capacity + 63) >> 6];
        for (var word = 0; word < bits.Length; word++)
        {
            var value = bits[word];
            while (value != 0)
            {
                var bit = System.Numerics.BitOperations.TrailingZeroCount(value);
                value &= value - 1;
                var target = (word << 6) + bit + offset;
                if (target >= 0 && target < capacity) moved[target >> 6] |= 1UL << (target & 63);
            }
        }

        return moved;
    }
}

/// <summary>
/// The buckets of one (provider, account, cost type, breakdown, source) of a service, a slot per
/// hour: the cost as a <see cref="FixedPointColumn"/> (2–8 bytes), the sequence as a
/// <see cref="SequenceColumn"/> (usually 1 byte) and a presence bit.
/// </summary>
public sealed class BucketSeries : HourWindow
{
    private readonly BucketKey _key;
    private FixedPointColumn _cost = new(0);
    private SequenceColumn _sequence = new(0);
    private ulong[] _present = [];

    // Most buckets carry only a cost; these columns exist once a bucket of the series has a value in them.
    private FixedPointColumn? _cpu;
    private FixedPointColumn? _memory;
    private FixedPointColumn? _storageGb;

    public BucketSeries(BucketKey key) => _key = key with { Hour = default };

    public int Count { get; private set; }

    public string Provider => _key.Provider;

    public bool Matches(BucketKey key) =>
        key.CostType == _key.CostType && key.Provider == _key.Provider && key.AccountId == _key.AccountId &&
        key.Breakdown == _key.Breakdown && key.Source == _key.Source;

    public BucketKey KeyAt(DateTime hour) => _key with { Hour = hour };

    public DateTime? FirstHour
    {
        get
        {
            for (var slot = 0; slot < Capacity; slot++)
            {
                if (IsPresent(slot)) return HourAt(slot);
            }

            return null;
        }
    }

    public bool TryGet(DateTime hour, out BucketAmount amount, out long sequence)
    {
        var slot = SlotOf(hour);
        if (slot < 0 || !IsPresent(slot))
        {
            (amount, sequence) = (default, 0);
            return false;
        }

        amount = new BucketAmount(_cost[slot], _cpu?[slot] ?? 0m, _memory?[slot] ?? 0m, _storageGb?[slot] ?? 0m);
        sequence = _sequence[slot];
        return true;
    }

    /// <summary>The cost of <paramref name="hour"/>, 0 when it holds no bucket.</summary>
    public decimal CostAt(DateTime hour) => SlotOf(hour) is var slot and >= 0 && IsPresent(slot) ? _cost[slot] : 0m;

    public void Set(DateTime hour, BucketAmount amount, long sequence)
    {
        var slot = EnsureSlot(hour);
        _sequence.Set(slot, sequence, _present);
        if (!IsPresent(slot))
        {
            _present[slot >> 6] |= 1UL << (slot & 63);
            Count++;
        }

        _cost.Set(slot, amount.CostUsd);
        Store(ref _cpu, slot, amount.CpuCostUsd);
        Store(ref _memory, slot, amount.MemoryCostUsd);
        Store(ref _storageGb, slot, amount.StorageGb);
    }

    /// <summary>The present hours and their cost, in order.</summary>
    public IEnumerable<(DateTime Hour, decimal CostUsd)> HourCosts()
    {
        for (var slot = 0; slot < Capacity; slot++)
        {
            if (IsPresent(slot)) yield return (HourAt(slot), _cost[slot]);
        }
    }

    public DateTime? LatestHourBefore(DateTime before)
    {
        if (Capacity == 0 || before <= Origin) return null;
        var last = (int)Math.Min(Capacity - 1, (before.Ticks - Origin.Ticks - 1) / TimeSpan.TicksPerHour);
        for (var slot = last; slot >= 0; slot--)
        {
            if (IsPresent(slot)) return HourAt(slot);
        }

        return null;
    }

    public int PruneBefore(DateTime cutoff)
    {
        var removed = 0;
        for (var slot = 0; slot < Capacity && HourAt(slot) < cutoff; slot++)
        {
            if (IsPresent(slot)) removed++;
        }

        DropBefore(cutoff);
        Count -= removed;
        return removed;
    }

    protected override void Resize(int offset, int capacity)
    {
        _cost = _cost.Moved(offset, capacity);
        _sequence = _sequence.Moved(offset, capacity);
        _cpu = _cpu?.Moved(offset, capacity);
        _memory = _memory?.Moved(offset, capacity);
        _storageGb = _storageGb?.Moved(offset, capacity);
        _present = MovedBits(_present, offset, capacity);
    }

    protected override void Shift(int drop, int keep)
    {
        _cost = _cost.Shifted(drop, keep);
        _sequence = _sequence.Shifted(drop, keep);
        _cpu = _cpu?.Shifted(drop, keep);
        _memory = _memory?.Shifted(drop, keep);
        _storageGb = _storageGb?.Shifted(drop, keep);
        _present = MovedBits(_present, -drop, keep);
    }

    private bool IsPresent(int slot) => IsSet(_present, slot);

    private void Store(ref FixedPointColumn? column, int slot, decimal value)
    {
        if (column is null)
        {
            if (value == 0m) return;
            column = new FixedPointColumn(Capacity);
        }

        column.Set(slot, value);
    }
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
