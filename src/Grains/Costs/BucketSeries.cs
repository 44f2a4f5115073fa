using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Costs;

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

    /// <summary>What identifies the series: its buckets' key without the hour.</summary>
    public BucketKey SeriesKey => _key;

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
