using System.Buffers;

namespace CloudSentinel.Connectors;

/// <summary>
/// A streaming RFC 4180 tokenizer: reads one record at a time from a fixed buffer, so memory stays
/// flat whatever the file size. Quoted fields may hold commas, doubled quotes and line breaks.
/// It is lenient where exports are sloppy (a stray quote inside an unquoted field is kept as text).
/// Runs of plain text are found with vectorized searches, and only the columns a caller asks for
/// become strings; a column's value that repeats the previous record's is the same string again.
/// </summary>
internal sealed class CsvReader(TextReader reader, int maxFieldChars = 1 << 20)
{
    private static readonly SearchValues<char> Unquoted = SearchValues.Create(",\r\n\"");
    private static readonly SearchValues<char> Quoted = SearchValues.Create("\"\n");

    private readonly char[] _buffer = new char[64 * 1024];
    private readonly CsvRow _all = new();
    private char[] _field = new char[256];
    private int _fieldLength;
    private string?[] _previous = new string?[64];
    private int _pos;
    private int _length;
    private long _line = 1;
    private bool _skipLineFeed;

    /// <summary>The 1-based line on which the record last returned starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Reads the next non-empty record into <paramref name="fields"/>, every field a string; false at the end of the input.</summary>
    /// <exception cref="FocusFileException">A quoted field never ends or a field is absurdly long: the rest of the file cannot be split into rows.</exception>
    public async ValueTask<bool> ReadAsync(List<string> fields, CancellationToken ct)
    {
        fields.Clear();
        if (!await ReadAsync(_all, null, ct)) return false;
        foreach (var field in _all) fields.Add(field!);
        return true;
    }

    /// <summary>
    /// Reads the next non-empty record into <paramref name="row"/>; a field whose column
    /// <paramref name="wanted"/> does not mark is null. Null <paramref name="wanted"/> wants every column.
    /// </summary>
    /// <exception cref="FocusFileException">A quoted field never ends or a field is absurdly long.</exception>
    public async ValueTask<bool> ReadAsync(CsvRow row, bool[]? wanted, CancellationToken ct)
    {
        row.Clear();
        _fieldLength = 0;
        RecordLine = _line;
        var inQuotes = false;
        var quoteInQuotes = false;
        var sawAnything = false;
        while (true)
        {
            if (_pos == _length)
            {
                _length = await reader.ReadAsync(_buffer.AsMemory(), ct);
                _pos = 0;
                if (_length == 0)
                {
                    if (inQuotes && !quoteInQuotes) throw new FocusFileException(RecordLine, "a quoted field is not closed before the end of the file");
                    if (!sawAnything) return false;
                    EndField(row, wanted);
                    return true;
                }
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_pos] == '\n')
                {
                    _pos++;
                    continue;
                }
            }

            if (quoteInQuotes)
            {
                quoteInQuotes = false;
                if (_buffer[_pos] == '"')
                {
                    _pos++;
                    Append("\"", row, wanted);
                    continue;
                }

                // The quoted part has ended; the character after it is read as unquoted text.
                inQuotes = false;
            }
            else if (inQuotes)
            {
                var quoted = _buffer.AsSpan(_pos, _length - _pos);
                var stop = quoted.IndexOfAny(Quoted);
                Append(stop < 0 ? quoted : quoted[..stop], row, wanted);
                if (stop < 0)
                {
                    _pos = _length;
                    continue;
                }

                _pos += stop + 1;
                if (quoted[stop] == '"') quoteInQuotes = true;
                else
                {
                    _line++;
                    Append("\n", row, wanted);
                }

                continue;
            }

            var text = _buffer.AsSpan(_pos, _length - _pos);
            var end = text.IndexOfAny(Unquoted);
            var run = end < 0 ? text : text[..end];
            if (!run.IsEmpty)
            {
                Append(run, row, wanted);
                sawAnything = true;
            }

            if (end < 0)
            {
                _pos = _length;
                continue;
            }

            _pos += end + 1;
            switch (text[end])
            {
                case ',':
                    EndField(row, wanted);
                    sawAnything = true;
                    break;
                case '\r' or '\n':
                    _line++;
                    _skipLineFeed = text[end] == '\r';
                    if (!sawAnything && _fieldLength == 0)
                    {
                        RecordLine = _line;
                        break;
                    }

                    EndField(row, wanted);
                    return true;
                default:
                    // A quote opens a quoted field only at its start; anywhere else it is text.
                    if (_fieldLength == 0) inQuotes = true;
                    else Append("\"", row, wanted);
                    sawAnything = true;
                    break;
            }
        }
    }

    private void Append(ReadOnlySpan<char> chars, CsvRow row, bool[]? wanted)
    {
        if (_fieldLength + chars.Length > maxFieldChars)
        {
            throw new FocusFileException(RecordLine, $"a field is longer than {maxFieldChars} characters (an unbalanced quote?)");
        }

        // A field nobody reads is only measured.
        if (IsWanted(row.Count, wanted))
        {
            if (_fieldLength + chars.Length > _field.Length) Array.Resize(ref _field, Math.Max(_field.Length * 2, _fieldLength + chars.Length));
            chars.CopyTo(_field.AsSpan(_fieldLength));
        }

        _fieldLength += chars.Length;
    }

    private void EndField(CsvRow row, bool[]? wanted)
    {
        var column = row.Count;
        string? value = null;
        if (IsWanted(column, wanted))
        {
            if (column >= _previous.Length) Array.Resize(ref _previous, Math.Max(_previous.Length * 2, column + 1));
            var chars = _field.AsSpan(0, _fieldLength);
            // Exports repeat most columns row after row (provider, account, period, region): the previous row's string serves again.
            value = _previous[column] is { } previous && chars.SequenceEqual(previous) ? previous : new string(chars);
            _previous[column] = value;
        }

        row.Add(value);
        _fieldLength = 0;
    }

    private static bool IsWanted(int column, bool[]? wanted) => wanted is null || (column < wanted.Length && wanted[column]);
}
