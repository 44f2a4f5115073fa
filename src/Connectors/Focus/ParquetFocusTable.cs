using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace CloudSentinel.Connectors;

/// <summary>
/// A Parquet FOCUS file, read one row group at a time and only in the columns the mapping uses, so
/// memory is bounded by the largest row group, not the file. Values become invariant text so that
/// CSV and Parquet rows go through the same mapping and the same checks.
/// </summary>
internal sealed class ParquetFocusTable(ParquetReader reader, Stream? spool, DataField?[] fields) : IFocusTable
{
    public IReadOnlyList<string> Columns { get; } = fields.Select(f => f?.Name ?? "").ToArray();

    /// <param name="stream">Readable and seekable; the caller's stream stays open, a spool file is deleted on dispose.</param>
    public static async Task<ParquetFocusTable> OpenAsync(Stream stream, Stream? spool, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Parquet.Net reports a damaged footer or schema with whatever exception its decoder hits.
            throw new FocusFileException(0, $"not a readable Parquet file ({ex.GetType().Name}: {ex.Message})");
        }

        // Only top-level plain columns can hold FOCUS values; nested ones (a Tags map, say) keep their slot empty.
        var fields = reader.Schema.Fields.Select(f => f is DataField { IsArray: false } d ? d : null).ToArray();
        return new ParquetFocusTable(reader, spool, fields);
    }

    public async IAsyncEnumerable<FocusRawRow> ReadRowsAsync(IReadOnlySet<int> wanted, [EnumeratorCancellation] CancellationToken ct)
    {
        long row = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var (count, columns) = await ReadGroupAsync(g, wanted, row, ct);

            var values = new string?[fields.Length];
            for (var r = 0; r < count; r++)
            {
                for (var c = 0; c < fields.Length; c++) values[c] = columns[c]?[r];
                yield return new FocusRawRow(++row, values);
            }
        }
    }

    /// <summary>The wanted columns of row group <paramref name="g"/>; a damaged group makes the whole file unreadable, so nothing of it loads.</summary>
    private async Task<(int Count, string?[]?[] Columns)> ReadGroupAsync(int g, IReadOnlySet<int> wanted, long rowsBefore, CancellationToken ct)
    {
        try
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var columns = new string?[]?[fields.Length];
            foreach (var index in wanted)
            {
                if (fields[index] is { } field) columns[index] = await ReadColumnAsync(group, field, count, ct);
            }

            return (count, columns);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or FocusFileException))
        {
            throw new FocusFileException(rowsBefore + 1, $"row group {g} of the Parquet file cannot be read ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private static async Task<string?[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken ct)
    {
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var text = new string?[count];
            await group.ReadAsync(field, text.AsMemory(), null, ct);
            return text;
        }

        if (type == typeof(decimal)) return await ReadAsync<decimal>(group, field, count, v => v.ToString(CultureInfo.InvariantCulture), ct);
        if (type == typeof(double)) return await ReadAsync<double>(group, field, count, v => v.ToString("R", CultureInfo.InvariantCulture), ct);
        if (type == typeof(float)) return await ReadAsync<float>(group, field, count, v => v.ToString("R", CultureInfo.InvariantCulture), ct);
        if (type == typeof(long)) return await ReadAsync<long>(group, field, count, v => v.ToString(CultureInfo.InvariantCulture), ct);
        if (type == typeof(int)) return await ReadAsync<int>(group, field, count, v => v.ToString(CultureInfo.InvariantCulture), ct);
        if (type == typeof(DateTime)) return await ReadAsync<DateTime>(group, field, count, Timestamp, ct);
        if (type == typeof(DateTimeOffset)) return await ReadAsync<DateTimeOffset>(group, field, count, v => Timestamp(v.UtcDateTime), ct);
        if (type == typeof(bool)) return await ReadAsync<bool>(group, field, count, v => v ? "true" : "false", ct);
        throw new FocusFileException(1, $"column '{field.Name}' has Parquet type {type.Name}, which FOCUS values never have");
    }

    private static async Task<string?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int count, Func<T, string> format, CancellationToken ct)
        where T : struct
    {
        var text = new string?[count];
        if (field.IsNullable)
        {
            var values = new T?[count];
            await group.ReadAsync(field, values.AsMemory(), null, ct);
            for (var i = 0; i < count; i++) text[i] = values[i] is { } v ? format(v) : null;
        }
        else
        {
            var values = new T[count];
            await group.ReadAsync(field, values.AsMemory(), null, ct);
            for (var i = 0; i < count; i++) text[i] = format(values[i]);
        }

        return text;
    }

    /// <summary>Parquet timestamps are UTC instants; an unspecified kind is read as UTC too.</summary>
    private static string Timestamp(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync();
        if (spool is not null) await spool.DisposeAsync();
    }
}
