using System.Runtime.InteropServices;

namespace CloudSentinel.Ingestion;

/// <summary>
/// What one request has already made of a value's raw UTF-8 bytes, looked up by those bytes without
/// making a string: line items repeat a handful of tenants, services, accounts and hours, so each
/// distinct value is decoded and checked once per request. The previous hit is tried first, as line
/// items of one service arrive together.
/// </summary>
public sealed class Utf8Table<T>
{
    private int[] _heads = new int[64];
    private Entry[] _entries = new Entry[32];
    private int _count;
    private byte[] _bytes = new byte[1024];
    private int _used;
    private int _last = -1;

    public int Count => _count;

    public bool TryGet(ReadOnlySpan<byte> raw, out T value)
    {
        if (_last >= 0 && Matches(_last, raw))
        {
            value = _entries[_last].Value;
            return true;
        }

        var hash = Hash(raw);
        for (var i = _heads[hash & (_heads.Length - 1)] - 1; i >= 0; i = _entries[i].Next - 1)
        {
            if (_entries[i].Hash == hash && Matches(i, raw))
            {
                _last = i;
                value = _entries[i].Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public void Add(ReadOnlySpan<byte> raw, T value)
    {
        if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
        if (_count * 2 > _heads.Length) Rehash(_heads.Length * 4);
        if (_used + raw.Length > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + raw.Length));
        raw.CopyTo(_bytes.AsSpan(_used));
        var hash = Hash(raw);
        ref var bucket = ref _heads[hash & (_heads.Length - 1)];
        _entries[_count] = new Entry { Hash = hash, Start = _used, Length = raw.Length, Next = bucket, Value = value };
        _used += raw.Length;
        _last = _count;
        bucket = ++_count;
    }

    private bool Matches(int entry, ReadOnlySpan<byte> raw)
    {
        ref var e = ref _entries[entry];
        return e.Length == raw.Length && raw.SequenceEqual(_bytes.AsSpan(e.Start, e.Length));
    }

    private void Rehash(int size)
    {
        _heads = new int[size];
        for (var i = 0; i < _count; i++)
        {
            ref var bucket = ref _heads[_entries[i].Hash & (size - 1)];
            _entries[i].Next = bucket;
            bucket = i + 1;
        }
    }

    private static int Hash(ReadOnlySpan<byte> raw)
    {
        var hash = new HashCode();
        hash.AddBytes(raw);
        return hash.ToHashCode();
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        public int Hash;
        public int Start;
        public int Length;

        // One-based index of the next entry of the same head; 0 ends the chain.
        public int Next;
        public T Value;
    }
}
