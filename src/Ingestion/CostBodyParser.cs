using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The framing of a cost ingest body (a JSON array or NDJSON), read window by window as the body
/// arrives: <see cref="Parse"/> takes the bytes at hand and consumes the records that end inside
/// them, leaving a record that does not for the next window. Each record is read the fast way
/// (<see cref="CostLineItemReader"/>) into one reused <see cref="CostLineItem"/>; a record it does
/// not call valid is read again by <see cref="CostRecordJson.ReadRecord"/> and
/// <see cref="CostRequest.Add(CostRecordFields)"/>, so errors, their order and their wording are
/// those of reading the whole body at once (<see cref="CostRecordJson.ParseEach"/>).
/// </summary>
public sealed class CostBodyParser(CostRequest request, int maxRecords)
{
    private enum Framing
    {
        Start,
        Array,
        AfterArray,
        Lines,
        Done,
    }

    private readonly RecordContext _context = new(CostRecordJson.Fields);
    private Framing _framing;
    private JsonReaderState _state = new(JsonRecords.ReaderOptions);
    private bool _inArray;
    private long _index;
    private long _lineNumber;
    private int _records;
    private CostLineItem _item;

    /// <summary>Records read so far (valid or not).</summary>
    public int Records => _records;

    /// <summary>Type errors found so far (record index, field, why), as <see cref="RecordScan.Errors"/>.</summary>
    public List<IngestError> Errors => _context.Errors;

    /// <summary>Why reading stopped, when the body cannot be read to its end.</summary>
    public IngestError? Fatal { get; private set; }

    /// <summary>Whether the body's end (or a fatal error) was reached: nothing more is read.</summary>
    public bool Done => _framing == Framing.Done;

    public RecordScan Scan => new(_records, _context.Errors, Fatal);

    /// <summary>
    /// Reads what it can of <paramref name="data"/>, the body's unread bytes; <paramref name="final"/>
    /// says they run to the body's end. Returns how many bytes it consumed: the rest must be handed
    /// again, with more behind it.
    /// </summary>
    public int Parse(ReadOnlySpan<byte> data, bool final)
    {
        var consumed = 0;
        if (_framing == Framing.Start)
        {
            consumed = Begin(data, final);
            if (_framing == Framing.Start) return consumed;
        }

        return _framing switch
        {
            Framing.Array or Framing.AfterArray => consumed + ParseArray(data[consumed..], final),
            Framing.Lines => consumed + ParseLines(data[consumed..], final),
            _ => data.Length,
        };
    }

    private int Begin(ReadOnlySpan<byte> data, bool final)
    {
        var start = 0;
        while (start < data.Length && JsonRecords.IsWhiteSpace(data[start])) start++;
        // Wait for the three bytes a byte order mark takes before deciding what the body is.
        if (!final && data.Length - start < 3) return start;
        if (start < data.Length - 2 && data[start] == 0xEF && data[start + 1] == 0xBB && data[start + 2] == 0xBF) start += 3;
        if (start == data.Length && !final) return start;
        if (start == data.Length) return Stop(new IngestError(0, "body", "is empty: send a JSON array or NDJSON of records"), data.Length);
        switch (data[start])
        {
            case (byte)'[':
                _framing = Framing.Array;
                return start;
            case (byte)'{':
                _framing = Framing.Lines;
                return start;
            default:
                return Stop(new IngestError(0, "body", "is not JSON: expected a JSON array '[...]' or NDJSON lines '{...}'"), data.Length);
        }
    }

    private int ParseArray(ReadOnlySpan<byte> data, bool final)
    {
        var reader = new Utf8JsonReader(data, final, _state);
        try
        {
            if (!_inArray)
            {
                if (!reader.Read()) return Pause(reader, final);
                _inArray = true;
            }

            while (_framing == Framing.Array)
            {
                // The reader as it stands between two records: a record that does not end in this window is read again from here.
                var between = reader;
                if (!reader.Read()) return Pause(between, final);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _framing = Framing.AfterArray;
                    break;
                }

                if (_index >= maxRecords) return Stop(TooMany(), data.Length);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    var type = reader.TokenType;
                    if (!reader.TrySkip()) return Pause(between, final);
                    _context.Errors.Add(new IngestError(_index, "record", $"is a JSON {JsonRecords.Describe(type)}, expected an object"));
                }
                else if (!ReadRecord(ref reader, data))
                {
                    return Pause(between, final);
                }

                _index++;
            }

            // Anything after the closing bracket means the body is not the array it claims to be.
            while (reader.Read())
            {
            }

            if (final) _framing = Framing.Done;
            return Pause(reader, final);
        }
        catch (JsonException ex)
        {
            return Stop(JsonRecords.Malformed(_index, ex), data.Length);
        }
    }

    /// <summary>Reads the record <paramref name="reader"/> is on; false when it does not end in <paramref name="data"/>.</summary>
    private bool ReadRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        var start = reader;
        _item.Reset(_index);
        switch (request.LineItems.Read(ref reader, data, ref _item))
        {
            case LineItemRead.Valid:
                request.Add(in _item);
                break;
            case LineItemRead.NeedMore:
                return false;
            default:
                reader = start;
                var from = (int)reader.TokenStartIndex;
                if (!reader.TrySkip()) return false;
                // The whole record is at hand and well formed: the slow reader gets it as a body of its own.
                var whole = new Utf8JsonReader(data[from..(int)reader.BytesConsumed], JsonRecords.ReaderOptions);
                whole.Read();
                ReadSlowly(ref whole);
                break;
        }

        _records++;
        return true;
    }

    private int ParseLines(ReadOnlySpan<byte> data, bool final)
    {
        var consumed = 0;
        while (consumed < data.Length || final)
        {
            var rest = data[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0 && !final) return consumed;
            if (newline < 0 && rest.IsEmpty) break;
            var line = newline < 0 ? rest : rest[..newline];
            consumed += newline < 0 ? rest.Length : newline + 1;
            _lineNumber++;
            if (line.Trim(" \t\r"u8).IsEmpty) continue;
            if (_index >= maxRecords) return Stop(TooMany(), data.Length);

            var reader = new Utf8JsonReader(line, JsonRecords.ReaderOptions);
            try
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    _context.Errors.Add(new IngestError(_index, "record", $"line {_lineNumber} is a JSON {JsonRecords.Describe(reader.TokenType)}, expected an object"));
                }
                else
                {
                    var start = reader;
                    _item.Reset(_index);
                    if (request.LineItems.Read(ref reader, line, ref _item) == LineItemRead.Valid)
                    {
                        request.Add(in _item);
                    }
                    else
                    {
                        // A line is the whole record: the fast reader cannot run out of bytes, so anything but valid is for the slow reader.
                        reader = start;
                        ReadSlowly(ref reader);
                    }

                    _records++;
                    while (reader.Read())
                    {
                        // A second value on the same line is a framing error caught by the reader.
                    }
                }
            }
            catch (JsonException ex)
            {
                return Stop(new IngestError(_index, "body",
                    $"malformed JSON on NDJSON line {_lineNumber} at byte {ex.BytePositionInLine}: {JsonRecords.FirstSentence(ex.Message)}"), data.Length);
            }

            _index++;
        }

        if (final) _framing = Framing.Done;
        return consumed;
    }

    private void ReadSlowly(ref Utf8JsonReader reader)
    {
        _context.Index = _index;
        request.Add(CostRecordJson.ReadRecord(ref reader, _context));
    }

    /// <summary>Keeps the reader's state for the next window and says how far it got.</summary>
    private int Pause(in Utf8JsonReader reader, bool final)
    {
        if (final && _framing != Framing.Done)
        {
            // A final window always reads to its end or throws; stopping short of it would lose records silently.
            throw new InvalidOperationException("the JSON reader stopped before the end of the body's last window");
        }

        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private IngestError TooMany() => JsonRecords.TooMany(_records, _context.Errors, maxRecords).Fatal!;

    private int Stop(IngestError fatal, int consumed)
    {
        Fatal = fatal;
        _framing = Framing.Done;
        return consumed;
    }
}
