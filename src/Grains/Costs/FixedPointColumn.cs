namespace CloudSentinel.Grains.Costs;

/// <summary>
/// A column of exact decimal amounts, a slot per hour, held as integers of one scale (the most
/// decimals any value of the column needs) in the narrowest width that holds them all: 2, 4 or
/// 8 bytes a slot instead of a decimal's 16. The scale and the width only ever grow, and a value no
/// 64-bit integer of the column's scale can hold turns the column into plain decimals, so every
/// value reads back equal to what was stored (with the column's scale: 1.5 may read as 1.50).
/// </summary>
public sealed class FixedPointColumn
{
    // 10^18 is the largest power of ten in a long; more decimals than that go to plain decimals.
    private const int MaxScale = 18;

    private static readonly long[] Powers = Enumerable.Range(0, MaxScale + 1).Select(p => checked((long)Math.Pow(10, p))).ToArray();

    private int _scale;

    // Exactly one of these holds the slots.
    private short[]? _short;
    private int[]? _int;
    private long[]? _long;
    private decimal[]? _decimal;

    public FixedPointColumn(int capacity) => _short = new short[capacity];

    private FixedPointColumn()
    {
    }

    /// <summary>Bytes a slot takes now: 2, 4, 8 or 16.</summary>
    public int BytesPerSlot => _short is not null ? 2 : _int is not null ? 4 : _long is not null ? 8 : 16;

    public int Capacity => _short?.Length ?? _int?.Length ?? _long?.Length ?? _decimal!.Length;

    public decimal this[int slot]
    {
        get
        {
            if (_decimal is not null) return _decimal[slot];
            // |units| < long.MaxValue (TryUnits and TryRescale keep it so): its two 32-bit halves are the decimal's mantissa.
            var units = _short is not null ? _short[slot] : _int is not null ? _int[slot] : _long![slot];
            var magnitude = (ulong)Math.Abs(units);
            return new decimal((int)(uint)magnitude, (int)(magnitude >> 32), 0, units < 0, (byte)_scale);
        }
    }

    public void Set(int slot, decimal value)
    {
        if (_decimal is null && value.Scale > _scale && ScaleOf(value) is var scale && scale > _scale)
        {
            if (scale > MaxScale || !TryRescale(scale)) ToDecimals();
        }

        if (_decimal is not null)
        {
            _decimal[slot] = value;
            return;
        }

        if (!TryUnits(value, _scale, out var units))
        {
            ToDecimals();
            _decimal![slot] = value;
            return;
        }

        Widen(units);
        if (_short is not null) _short[slot] = (short)units;
        else if (_int is not null) _int[slot] = (int)units;
        else _long![slot] = units;
    }

    public void Add(int slot, decimal delta) => Set(slot, this[slot] + delta);

    /// <summary>The column with <paramref name="capacity"/> slots, the old slot 0 moved to <paramref name="offset"/>.</summary>
    public FixedPointColumn Moved(int offset, int capacity)
    {
        var (from, to, count) = HourWindow.Move(Capacity, offset, capacity);
        return Remapped(from, to, count, capacity);
    }

    /// <summary>The column without its first <paramref name="drop"/> slots, <paramref name="keep"/> left.</summary>
    public FixedPointColumn Shifted(int drop, int keep) => Remapped(drop, 0, keep, keep);

    private FixedPointColumn Remapped(int from, int to, int count, int capacity) => new()
    {
        _scale = _scale,
        _short = _short is null ? null : HourWindow.Remapped(_short, from, to, count, capacity),
        _int = _int is null ? null : HourWindow.Remapped(_int, from, to, count, capacity),
        _long = _long is null ? null : HourWindow.Remapped(_long, from, to, count, capacity),
        _decimal = _decimal is null ? null : HourWindow.Remapped(_decimal, from, to, count, capacity),
    };

    /// <summary>The fewest decimals that represent <paramref name="value"/> exactly (1.50 needs 1).</summary>
    private static int ScaleOf(decimal value)
    {
        int scale = value.Scale;
        while (scale > 0 && decimal.Round(value, scale - 1) == value) scale--;
        return scale;
    }

    private static bool TryUnits(decimal value, int scale, out long units)
    {
        // |value| · 10^scale must fit a long; the bound is checked before multiplying, which could overflow a decimal.
        if (Math.Abs(value) >= long.MaxValue / (decimal)Powers[scale])
        {
            units = 0;
            return false;
        }

        units = (long)(value * Powers[scale]);
        return true;
    }

    private bool TryRescale(int scale)
    {
        var factor = Powers[scale - _scale];
        var units = new long[Capacity];
        for (var slot = 0; slot < units.Length; slot++)
        {
            var old = _short is not null ? _short[slot] : _int is not null ? _int[slot] : _long![slot];
            if (Math.Abs(old) >= long.MaxValue / factor) return false;
            units[slot] = old * factor;
        }

        _scale = scale;
        (_short, _int, _long) = (null, null, units);
        Narrow();
        return true;
    }

    /// <summary>Re-packs 64-bit slots into the narrowest width that holds them all.</summary>
    private void Narrow()
    {
        var units = _long!;
        long largest = 0;
        foreach (var u in units) largest = Math.Max(largest, Math.Abs(u));
        if (largest <= short.MaxValue) (_short, _long) = (Array.ConvertAll(units, u => (short)u), null);
        else if (largest <= int.MaxValue) (_int, _long) = (Array.ConvertAll(units, u => (int)u), null);
    }

    private void Widen(long units)
    {
        if (_short is not null && (units < short.MinValue || units > short.MaxValue))
        {
            if (units >= int.MinValue && units <= int.MaxValue) (_int, _short) = (Array.ConvertAll(_short, s => (int)s), null);
            else (_long, _short) = (Array.ConvertAll(_short, s => (long)s), null);
        }
        else if (_int is not null && (units < int.MinValue || units > int.MaxValue))
        {
            (_long, _int) = (Array.ConvertAll(_int, i => (long)i), null);
        }
    }

    private void ToDecimals()
    {
        var values = new decimal[Capacity];
        for (var slot = 0; slot < values.Length; slot++) values[slot] = this[slot];
        (_short, _int, _long, _decimal) = (null, null, null, values);
    }
}
