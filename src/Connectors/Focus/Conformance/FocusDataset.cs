namespace CloudSentinel.Connectors;

/// <summary>A FOCUS file read whole for checking: its header and every row's values by column (null for an empty field).</summary>
public sealed class FocusDataset
{
    private readonly Dictionary<string, int> _index;

    public FocusDataset(IReadOnlyList<string> columns, IReadOnlyList<string?[]> rows)
    {
        Columns = columns;
        Rows = rows;
        _index = columns.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<string?[]> Rows { get; }

    public bool Has(string column) => _index.ContainsKey(column);

    /// <summary>The row's value of the column; null when empty or when the dataset has no such column.</summary>
    public string? Value(string?[] row, string column) => _index.TryGetValue(column, out var i) ? row[i] : null;

    /// <summary>Reads a CSV, gzip CSV or Parquet FOCUS file. For tests and tools: the whole file is kept in memory.</summary>
    public static async Task<FocusDataset> ReadAsync(Stream file, CancellationToken ct = default)
    {
        await using var table = await FocusFileOpener.OpenAsync(file, ct);
        var all = Enumerable.Range(0, table.Columns.Count).ToHashSet();
        var rows = new List<string?[]>();
        await foreach (var row in table.ReadRowsAsync(all, ct))
        {
            if (row.Values.Count != table.Columns.Count)
            {
                throw new FocusFileException(row.Line, $"has {row.Values.Count} fields but the header has {table.Columns.Count}");
            }

            rows.Add(row.Values.Select(v => v is { Length: > 0 } ? v : null).ToArray());
        }

        return new FocusDataset(table.Columns.ToList(), rows);
    }
}
