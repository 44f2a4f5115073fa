using System.Collections;

namespace CloudSentinel.Connectors;

/// <summary>
/// One CSV record's fields, reused from record to record: a field the reader was not asked for is
/// null (it was tokenized, not made into a string), so a row costs nothing but the strings it must hold.
/// </summary>
internal sealed class CsvRow : IReadOnlyList<string?>
{
    private string?[] _values = new string?[16];

    public int Count { get; private set; }

    public string? this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _values[index];
        }
    }

    public void Clear() => Count = 0;

    public void Add(string? value)
    {
        if (Count == _values.Length) Array.Resize(ref _values, Count * 2);
        _values[Count++] = value;
    }

    public IEnumerator<string?> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return _values[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
