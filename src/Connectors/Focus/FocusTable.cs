namespace CloudSentinel.Connectors;

/// <summary>One data row of a FOCUS file: its line (CSV) or 1-based row number (Parquet) and its raw text values by column.</summary>
/// <param name="Values">Valid only until the next row is read: readers reuse the buffer.</param>
internal readonly record struct FocusRawRow(long Line, IReadOnlyList<string?> Values);

/// <summary>A FOCUS file opened for reading row by row, whatever its container format.</summary>
internal interface IFocusTable : IAsyncDisposable
{
    IReadOnlyList<string> Columns { get; }

    /// <summary>Streams the rows; only the columns in <paramref name="wanted"/> need to be filled.</summary>
    IAsyncEnumerable<FocusRawRow> ReadRowsAsync(IReadOnlySet<int> wanted, CancellationToken ct);
}
