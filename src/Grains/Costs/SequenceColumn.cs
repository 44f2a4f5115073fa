namespace CloudSentinel.Grains.Costs;

/// <summary>
/// The ingest sequence that last wrote each slot of a series. A series' slots share few sequences
/// (a request writes many hours; a reload or restated month writes them all), so while a series
/// holds at most 255 distinct ones, a slot is a byte: an index into a palette of the sequences. Past
/// that, slots become 32-bit offsets from the first sequence, and 64-bit sequences if one ever falls
/// outside that range.
/// </summary>
public sealed class SequenceColumn
{
    private const int PaletteSize = 255;

    private byte[]? _index;
    private long[] _palette = [];
    private int _paletteCount;

    private long _base = long.MinValue;
    private int[]? _offset;
    private long[]? _wide;

    public SequenceColumn(int capacity) => _index = new byte[capacity];

    private SequenceColumn()
    {
    }

    /// <summary>Bytes a slot takes now: 1, 4 or 8 (the palette aside).</summary>
    public int BytesPerSlot => _index is not null ? 1 : _offset is not null ? 4 : 8;

    public long this[int slot] =>
        _index is not null ? _palette[_index[slot]] : _offset is not null ? _base + _offset[slot] : _wide![slot];

    /// <summary>Stores <paramref name="sequence"/> in <paramref name="slot"/>; <paramref name="present"/> is the series' bitmap of the slots that hold a bucket.</summary>
    public void Set(int slot, long sequence, ulong[] present)
    {
        if (_index is not null)
        {
            if (PaletteIndex(sequence, slot, present) is var index and >= 0)
            {
                _index[slot] = (byte)index;
                return;
            }

            ToOffsets();
        }

        if (_offset is not null)
        {
            var offset = (Int128)sequence - _base;
            if (offset >= int.MinValue && offset <= int.MaxValue)
            {
                _offset[slot] = (int)offset;
                return;
            }

            _wide = new long[_offset.Length];
            for (var i = 0; i < _wide.Length; i++) _wide[i] = _base + _offset[i];
            _offset = null;
        }

        _wide![slot] = sequence;
    }

    public SequenceColumn Moved(int offset, int capacity)
    {
        var (from, to, count) = HourWindow.Move(Length, offset, capacity);
        return Remapped(from, to, count, capacity);
    }

    public SequenceColumn Shifted(int drop, int keep) => Remapped(drop, 0, keep, keep);

    private int Length => _index?.Length ?? _offset?.Length ?? _wide!.Length;

    private SequenceColumn Remapped(int from, int to, int count, int capacity) => new()
    {
        _index = _index is null ? null : HourWindow.Remapped(_index, from, to, count, capacity),
        _palette = _palette,
        _paletteCount = _paletteCount,
        _base = _base,
        _offset = _offset is null ? null : HourWindow.Remapped(_offset, from, to, count, capacity),
        _wide = _wide is null ? null : HourWindow.Remapped(_wide, from, to, count, capacity),
    };

    /// <summary>The palette index of <paramref name="sequence"/>, adding it (after dropping sequences no slot uses any more) if there is room; else -1.</summary>
    private int PaletteIndex(long sequence, int slot, ulong[] present)
    {
        // Newest first: the sequence being written is usually the one most recently added.
        for (var i = _paletteCount - 1; i >= 0; i--)
        {
            if (_palette[i] == sequence) return i;
        }

        if (_paletteCount == PaletteSize) Compact(slot, present);
        if (_paletteCount == PaletteSize) return -1;
        if (_paletteCount == _palette.Length) Array.Resize(ref _palette, Math.Min(PaletteSize, Math.Max(4, _palette.Length * 2)));
        _palette[_paletteCount] = sequence;
        return _paletteCount++;
    }

    /// <summary>Drops the palette entries that no present slot other than <paramref name="overwritten"/> uses.</summary>
    private void Compact(int overwritten, ulong[] present)
    {
        var used = new bool[PaletteSize];
        for (var slot = 0; slot < _index!.Length; slot++)
        {
            if (slot != overwritten && (present[slot >> 6] & (1UL << (slot & 63))) != 0) used[_index[slot]] = true;
        }

        var remap = new byte[PaletteSize];
        var kept = 0;
        var palette = new long[PaletteSize];
        for (var i = 0; i < PaletteSize; i++)
        {
            if (!used[i]) continue;
            remap[i] = (byte)kept;
            palette[kept++] = _palette[i];
        }

        // Compacting pays only if it frees a good share of the palette; otherwise the next miss would compact again.
        if (kept > PaletteSize * 3 / 4)
        {
            return;
        }

        for (var slot = 0; slot < _index.Length; slot++) _index[slot] = remap[_index[slot]];
        (_palette, _paletteCount) = (palette, kept);
    }

    private void ToOffsets()
    {
        var sequences = new long[_index!.Length];
        for (var slot = 0; slot < sequences.Length; slot++) sequences[slot] = _palette[_index[slot]];
        _base = _palette[0];
        _index = null;
        _offset = new int[sequences.Length];
        _palette = [];
        foreach (var (slot, sequence) in sequences.Index())
        {
            var offset = (Int128)sequence - _base;
            if (offset < int.MinValue || offset > int.MaxValue)
            {
                (_offset, _wide) = (null, sequences);
                return;
            }

            _offset[slot] = (int)offset;
        }
    }
}
