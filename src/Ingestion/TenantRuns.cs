using System.Collections;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The tenant each record of a request named, in order, kept as runs: a request's records name one
/// tenant or a few, one after another, so 50,000 records are a run or two instead of 50,000 list
/// slots. Reads like the list it stands for.
/// </summary>
public sealed class TenantRuns : IReadOnlyList<string?>
{
    private readonly List<(string? Tenant, int End)> _runs = [];

    public int Count { get; private set; }

    public string? this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var (low, high) = (0, _runs.Count - 1);
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (_runs[middle].End <= index) low = middle + 1;
                else high = middle;
            }

            return _runs[low].Tenant;
        }
    }

    public void Add(string? tenant)
    {
        Count++;
        // Tenants are interned per request, but a slow-read record's is a string of its own: compare the text.
        if (_runs.Count > 0 && _runs[^1].Tenant == tenant) _runs[^1] = (tenant, Count);
        else _runs.Add((tenant, Count));
    }

    public IEnumerator<string?> GetEnumerator()
    {
        var start = 0;
        foreach (var (tenant, end) in _runs)
        {
            for (var i = start; i < end; i++) yield return tenant;
            start = end;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
