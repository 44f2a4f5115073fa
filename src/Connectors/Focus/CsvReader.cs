using System.Text;

namespace CloudSentinel.Connectors;

/// <summary>
/// A streaming RFC 4180 tokenizer: reads one record at a time from a fixed buffer, so memory stays
/// flat whatever the file size. Quoted fields may hold commas, doubled quotes and line breaks.
/// It is lenient where exports are sloppy (a stray quote inside an unquoted field is kept as text).
/// </summary>
internal sealed class CsvReader(TextReader reader, int maxFieldChars = 1 << 20)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private int _pos;
    private int _length;
    private long _line = 1;
    private bool _skipLineFeed;

    /// <summary>The 1-based line on which the record last returned starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Reads the next non-empty record into <paramref name="fields"/>; false at the end of the input.</summary>
    /// <exception cref="FocusFileException">A quoted field never ends or a field is absurdly long: the rest of the file cannot be split into rows.</exception>
    public async ValueTask<bool> ReadAsync(List<string> fields, CancellationToken ct)
    {
        fields.Clear();
        _field.Clear();
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
                    fields.Add(_field.ToString());
                    return true;
                }
            }

            var c = _buffer[_pos++];
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (c == '\n') continue;
            }

            if (quoteInQuotes)
            {
                quoteInQuotes = false;
                if (c == '"')
                {
                    Append(c);
                    continue;
                }

                inQuotes = false;
            }
            else if (inQuotes)
            {
                if (c == '"') quoteInQuotes = true;
                else
                {
                    if (c == '\n') _line++;
                    Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    sawAnything = true;
                    break;
                case '\r' or '\n':
                    _line++;
                    _skipLineFeed = c == '\r';
                    if (!sawAnything && _field.Length == 0)
                    {
                        RecordLine = _line;
                        break;
                    }

                    fields.Add(_field.ToString());
                    return true;
                case '"' when _field.Length == 0:
                    inQuotes = true;
                    sawAnything = true;
                    break;
                default:
                    Append(c);
                    sawAnything = true;
                    break;
            }
        }
    }

    private void Append(char c)
    {
        if (_field.Length >= maxFieldChars)
        {
            throw new FocusFileException(RecordLine, $"a field is longer than {maxFieldChars} characters (an unbalanced quote?)");
        }

        _field.Append(c);
    }
}
