using System.Text;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// What the readers of one body share while they read its records: the record kind's field names,
/// the index of the record being read, the errors found so far, and the previous record's values.
/// </summary>
public sealed class RecordContext(FieldNames names)
{
    public FieldNames Names { get; } = names;

    /// <summary>Zero-based index of the record being read.</summary>
    public long Index { get; set; }

    public List<IngestError> Errors { get; } = [];

    public RepeatedValues Repeats { get; } = new();
}

/// <summary>
/// The field names one record kind knows, matched on their UTF-8 bytes so that reading a known
/// name makes no string; an index is also the field's bit in a record's "seen" mask (at most 64).
/// </summary>
public sealed class FieldNames
{
    private readonly string[] _names;
    private readonly byte[][] _utf8;

    public FieldNames(params string[] names)
    {
        if (names.Length > 64) throw new ArgumentException("at most 64 field names: each is a bit of a ulong", nameof(names));
        _names = names;
        _utf8 = names.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public string this[int index] => _names[index];

    public int Count => _names.Length;

    /// <summary>The index of the name spelled by <paramref name="utf8"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < _utf8.Length; i++)
        {
            if (utf8.SequenceEqual(_utf8[i])) return i;
        }

        return -1;
    }

    public int IndexOf(string name) => Array.IndexOf(_names, name);
}

/// <summary>
/// The last raw value of each field and what it was read as. Line items of one service arrive
/// together and repeat most of their fields (tenant, service, account, region, hour), so the next
/// record's identical bytes are answered without decoding, validating or parsing them again.
/// Only unescaped values are remembered: their raw bytes are exactly their text.
/// </summary>
public sealed class RepeatedValues
{
    private readonly List<Slot> _slots = [];

    public bool TryGet<T>(string field, ReadOnlySpan<byte> raw, out T value)
    {
        foreach (var slot in _slots)
        {
            if (!ReferenceEquals(slot.Field, field) || slot.Value is not T known) continue;
            if (raw.SequenceEqual(slot.Raw.AsSpan(0, slot.Length)))
            {
                value = known;
                return true;
            }

            break;
        }

        value = default!;
        return false;
    }

    public void Remember<T>(string field, ReadOnlySpan<byte> raw, T value)
        where T : notnull
    {
        var slot = _slots.Find(s => ReferenceEquals(s.Field, field) && s.Value is T);
        if (slot is null)
        {
            slot = new Slot { Field = field };
            _slots.Add(slot);
        }

        if (slot.Raw.Length < raw.Length) slot.Raw = new byte[Math.Max(raw.Length, 32)];
        raw.CopyTo(slot.Raw);
        slot.Length = raw.Length;
        slot.Value = value;
    }

    private sealed class Slot
    {
        public required string Field { get; init; }
        public byte[] Raw { get; set; } = [];
        public int Length { get; set; }
        public object? Value { get; set; }
    }
}
