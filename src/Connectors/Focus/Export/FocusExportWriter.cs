using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace CloudSentinel.Connectors;

public enum FocusExportFormat
{
    Csv,
    Parquet,
}

/// <summary>
/// Writes FOCUS 1.3 rows (see <see cref="FocusExportRows"/>) as CSV or Parquet, a bounded batch at a
/// time: CSV goes straight to the output; Parquet, whose footer must describe every row group, is
/// written row group by row group to a temporary file that is copied to the output at the end.
/// Memory stays flat either way.
/// </summary>
public abstract class FocusExportWriter : IAsyncDisposable
{
    public long Rows { get; protected set; }

    public static FocusExportWriter Create(FocusExportFormat format, Stream output) =>
        format == FocusExportFormat.Parquet ? new ParquetExport(output) : new CsvExport(output);

    public abstract Task WriteAsync(string?[] row, CancellationToken ct);

    /// <summary>Writes what is buffered and the end of the file; the output is complete afterwards.</summary>
    public abstract Task CompleteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    private sealed class CsvExport(Stream output) : FocusExportWriter
    {
        private readonly StreamWriter _text = new(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        private bool _headerWritten;

        public override async Task WriteAsync(string?[] row, CancellationToken ct)
        {
            if (!_headerWritten) await WriteHeaderAsync();
            // One asynchronous write per line: a synchronous one could reach an HTTP response, which forbids it.
            await _text.WriteLineAsync(string.Join(',', row.Select(Quote)));
            if (++Rows % 10_000 == 0) await _text.FlushAsync(ct);
        }

        public override async Task CompleteAsync(CancellationToken ct)
        {
            if (!_headerWritten) await WriteHeaderAsync();
            await _text.FlushAsync(ct);
        }

        private async Task WriteHeaderAsync()
        {
            _headerWritten = true;
            await _text.WriteLineAsync(string.Join(',', Focus13Schema.Columns.Select(c => c.Name)));
        }

        private static string Quote(string? value)
        {
            if (value is null) return "";
            return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value != value.Trim() ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        }

        public override async ValueTask DisposeAsync() => await _text.DisposeAsync();
    }

    private sealed class ParquetExport(Stream output) : FocusExportWriter
    {
        private const int RowGroupSize = 50_000;

        /// <summary>DECIMAL(38, 18): every amount CloudSentinel keeps on a grid of at most 1e-18 USD fits without rounding.</summary>
        private static readonly DataField[] Fields = Focus13Schema.Columns.Select(c => c.Kind switch
        {
            FocusValueKind.Decimal => new DecimalDataField(c.Name, 38, 18, isNullable: true),
            FocusValueKind.DateTime => new DataField<DateTime?>(c.Name),
            _ => (DataField)new DataField<string>(c.Name),
        }).ToArray();

        private readonly FileStream _spool = new(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);

        private readonly List<string?[]> _buffer = new(RowGroupSize);
        private ParquetWriter? _writer;

        public override async Task WriteAsync(string?[] row, CancellationToken ct)
        {
            _buffer.Add(row);
            Rows++;
            if (_buffer.Count >= RowGroupSize) await FlushGroupAsync(ct);
        }

        public override async Task CompleteAsync(CancellationToken ct)
        {
            await FlushGroupAsync(ct);
            await _writer!.DisposeAsync();
            _writer = null;
            _spool.Position = 0;
            await _spool.CopyToAsync(output, ct);
        }

        private async Task FlushGroupAsync(CancellationToken ct)
        {
            _writer ??= await ParquetWriter.CreateAsync(new ParquetSchema(Fields), _spool, cancellationToken: ct);
            if (_buffer.Count == 0 && Rows > 0) return;
            using var group = _writer.CreateRowGroup();
            for (var c = 0; c < Fields.Length; c++)
            {
                var field = Fields[c];
                switch (Focus13Schema.Columns[c].Kind)
                {
                    case FocusValueKind.Decimal:
                        await group.WriteAsync(field, (ReadOnlyMemory<decimal?>)_buffer.Select(r => r[c] is { } v ? decimal.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) : (decimal?)null).ToArray(), null, null, ct);
                        break;
                    case FocusValueKind.DateTime:
                        await group.WriteAsync(field, (ReadOnlyMemory<DateTime?>)_buffer.Select(r => r[c] is { } v
                            ? DateTime.Parse(v, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
                            : (DateTime?)null).ToArray(), null, null, ct);
                        break;
                    default:
                        await group.WriteAsync(field, (IReadOnlyCollection<string>)_buffer.Select(r => r[c]!).ToArray(), null);
                        break;
                }
            }

            _buffer.Clear();
        }

        public override async ValueTask DisposeAsync()
        {
            if (_writer is not null) await _writer.DisposeAsync();
            await _spool.DisposeAsync();
        }
    }
}
