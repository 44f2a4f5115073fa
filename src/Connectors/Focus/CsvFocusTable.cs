using System.Runtime.CompilerServices;
using System.Text;

namespace CloudSentinel.Connectors;

/// <summary>A CSV (or decompressed gzip CSV) FOCUS file; the first record is the header.</summary>
internal sealed class CsvFocusTable(StreamReader text, CsvReader csv, IReadOnlyList<string> columns) : IFocusTable
{
    public IReadOnlyList<string> Columns { get; } = columns;

    public static async Task<CsvFocusTable> OpenAsync(Stream stream, CancellationToken ct)
    {
        var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var csv = new CsvReader(text);
        var header = new List<string>();
        if (!await csv.ReadAsync(header, ct))
        {
            text.Dispose();
            throw new FocusFileException(1, "the file is empty; a FOCUS file starts with a header row");
        }

        return new CsvFocusTable(text, csv, header.Select(h => h.Trim()).ToArray());
    }

    public async IAsyncEnumerable<FocusRawRow> ReadRowsAsync(IReadOnlySet<int> wanted, [EnumeratorCancellation] CancellationToken ct)
    {
        // Only the columns the mapping reads become strings; the others are tokenized and skipped.
        var mask = new bool[Columns.Count];
        foreach (var column in wanted.Where(c => c >= 0 && c < mask.Length)) mask[column] = true;
        var row = new CsvRow();
        while (await csv.ReadAsync(row, mask, ct))
        {
            yield return new FocusRawRow(csv.RecordLine, row);
        }
    }

    public ValueTask DisposeAsync()
    {
        text.Dispose();
        return ValueTask.CompletedTask;
    }
}
