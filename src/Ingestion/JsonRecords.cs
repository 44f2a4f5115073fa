using System.Globalization;
using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>What a body parse produced: the records read, their type errors, and a fatal error if reading stopped.</summary>
public sealed record RecordParse<T>(IReadOnlyList<T> Records, IReadOnlyList<IngestError> Errors, IngestError? Fatal);

/// <summary>What a body parse that handed on its records produced: how many, their type errors, and a fatal error if reading stopped.</summary>
public sealed record RecordScan(int Records, IReadOnlyList<IngestError> Errors, IngestError? Fatal);

/// <summary>The JSON array / NDJSON framing and typed field readers that every record kind shares.</summary>
public static class JsonRecords
{
    public delegate T RecordReader<out T>(ref Utf8JsonReader reader, RecordContext context);

    /// <summary>Reads one named field into <paramref name="fields"/>; unknown names are skipped.</summary>
    public delegate void FieldReader<in T>(ref Utf8JsonReader reader, T fields, string name, RecordContext context);

    /// <summary>
    /// Reads the properties of one record object. A field whose value has the wrong JSON type is
    /// remembered (<see cref="RecordFields.MarkInvalid"/>), so validation does not also call it missing.
    /// </summary>
    public static T ReadObject<T>(ref Utf8JsonReader reader, T fields, RecordContext context, FieldReader<T> readField)
        where T : RecordFields
    {
        var (index, errors) = (context.Index, context.Errors);
        ulong seenKnown = 0;
        HashSet<string>? seenOther = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // A known name is matched on its raw bytes: no string is made for it.
            var known = reader.ValueIsEscaped ? -1 : context.Names.IndexOf(reader.ValueSpan);
            var name = known >= 0 ? context.Names[known] : Text(ref reader, index, "record", errors) ?? "";
            if (known < 0 && context.Names.IndexOf(name) is var escaped and >= 0) (known, name) = (escaped, context.Names[escaped]);
            reader.Read();
            var repeated = known >= 0 ? (seenKnown & (1UL << known)) != 0 : !(seenOther ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
            if (known >= 0) seenKnown |= 1UL << known;
            if (repeated)
            {
                // The last value silently winning would turn a typo'd or tampered record into a different amount.
                errors.Add(new IngestError(index, name, "appears more than once in the record; send each field once"));
                fields.MarkInvalid(name);
                reader.Skip();
                continue;
            }

            var errorsBefore = errors.Count;
            readField(ref reader, fields, name, context);
            if (errors.Count > errorsBefore) fields.MarkInvalid(name);
        }

        return fields;
    }

    /// <summary>
    /// The current token's text, or an error for the field when it is not valid text: invalid UTF-8
    /// bytes, or an escaped unpaired UTF-16 surrogate such as \ud800, which nothing downstream can store.
    /// </summary>
    public static string? Text(ref Utf8JsonReader reader, long index, string field, List<IngestError> errors)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            errors.Add(new IngestError(index, field, "is not valid text: it holds invalid UTF-8 or an unpaired UTF-16 surrogate (such as \\ud800)"));
            return null;
        }
    }

    internal static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    public static RecordParse<T> Parse<T>(ReadOnlyMemory<byte> body, int maxRecords, FieldNames names, RecordReader<T> readRecord)
    {
        var records = new List<T>();
        var scan = ParseEach(body, maxRecords, names, readRecord, records.Add);
        return new RecordParse<T>(records, scan.Errors, scan.Fatal);
    }

    public static RecordScan ParseEach<T>(ReadOnlyMemory<byte> body, int maxRecords, FieldNames names, RecordReader<T> readRecord, Action<T> add)
    {
        var span = body.Span;
        var start = 0;
        while (start < span.Length && IsWhiteSpace(span[start])) start++;
        if (start < span.Length - 2 && span[start] == 0xEF && span[start + 1] == 0xBB && span[start + 2] == 0xBF) start += 3;
        if (start == span.Length)
        {
            return new RecordScan(0, [], new IngestError(0, "body", "is empty: send a JSON array or NDJSON of records"));
        }

        return span[start] switch
        {
            (byte)'[' => ParseArray(body[start..], maxRecords, new RecordContext(names), readRecord, add),
            (byte)'{' => ParseLines(body[start..], maxRecords, new RecordContext(names), readRecord, add),
            _ => new RecordScan(0, [], new IngestError(0, "body", "is not JSON: expected a JSON array '[...]' or NDJSON lines '{...}'")),
        };
    }

    private static RecordScan ParseArray<T>(ReadOnlyMemory<byte> body, int maxRecords, RecordContext context, RecordReader<T> readRecord, Action<T> add)
    {
        var records = 0;
        var errors = context.Errors;
        var reader = new Utf8JsonReader(body.Span, ReaderOptions);
        long index = 0;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (index >= maxRecords) return TooMany(records, errors, maxRecords);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    errors.Add(new IngestError(index, "record", $"is a JSON {Describe(reader.TokenType)}, expected an object"));
                    reader.Skip();
                }
                else
                {
                    context.Index = index;
                    add(readRecord(ref reader, context));
                    records++;
                }

                index++;
            }

            while (reader.Read())
            {
                // Anything after the closing bracket means the body is not the array it claims to be.
            }
        }
        catch (JsonException ex)
        {
            return new RecordScan(records, errors, Malformed(index, ex));
        }

        return new RecordScan(records, errors, null);
    }

    private static RecordScan ParseLines<T>(ReadOnlyMemory<byte> body, int maxRecords, RecordContext context, RecordReader<T> readRecord, Action<T> add)
    {
        var records = 0;
        var errors = context.Errors;
        var remaining = body;
        long index = 0;
        long lineNumber = 0;
        while (!remaining.IsEmpty)
        {
            var newline = remaining.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? remaining : remaining[..newline];
            remaining = newline < 0 ? ReadOnlyMemory<byte>.Empty : remaining[(newline + 1)..];
            lineNumber++;
            if (line.Span.Trim(" \t\r"u8).IsEmpty) continue;
            if (index >= maxRecords) return TooMany(records, errors, maxRecords);

            var reader = new Utf8JsonReader(line.Span, ReaderOptions);
            try
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    errors.Add(new IngestError(index, "record", $"line {lineNumber} is a JSON {Describe(reader.TokenType)}, expected an object"));
                }
                else
                {
                    context.Index = index;
                    add(readRecord(ref reader, context));
                    records++;
                    while (reader.Read())
                    {
                        // A second value on the same line is a framing error caught by the reader.
                    }
                }
            }
            catch (JsonException ex)
            {
                return new RecordScan(records, errors, new IngestError(index, "body",
                    $"malformed JSON on NDJSON line {lineNumber} at byte {ex.BytePositionInLine}: {FirstSentence(ex.Message)}"));
            }

            index++;
        }

        return new RecordScan(records, errors, null);
    }

    public static string? ReadString(ref Utf8JsonReader reader, RecordContext context, string field)
    {
        var (index, errors) = (context.Index, context.Errors);
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                // Line items repeat their tenant, service, account, region…: the same bytes as the previous record's give the same string.
                if (reader.ValueIsEscaped) return Text(ref reader, index, field, errors);
                if (context.Repeats.TryGet(field, reader.ValueSpan, out string? same)) return same;
                var text = Text(ref reader, index, field, errors);
                if (text is not null) context.Repeats.Remember(field, reader.ValueSpan, text);
                return text;
            case JsonTokenType.Null: return null;
            default:
                errors.Add(new IngestError(index, field, $"must be a string, got a JSON {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    public static decimal? ReadDecimal(ref Utf8JsonReader reader, RecordContext context, string field)
    {
        var (index, errors) = (context.Index, context.Errors);
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDecimal(out var value): return value;
            case JsonTokenType.Number:
                errors.Add(new IngestError(index, field, "is a number out of range"));
                return null;
            case JsonTokenType.Null: return null;
            case JsonTokenType.String:
                var text = Text(ref reader, index, field, errors);
                if (text is null) return null;
                var hint = text is "NaN" or "Infinity" or "-Infinity" ? " (NaN and Infinity are not amounts)" : "";
                errors.Add(new IngestError(index, field, $"must be a JSON number, got the string \"{Clip(text)}\"{hint}"));
                return null;
            default:
                errors.Add(new IngestError(index, field, $"must be a number, got a JSON {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    /// <summary>Reads an RFC 3339 timestamp: a date, a time and an explicit offset ('Z' or ±hh:mm).</summary>
    public static DateTime? ReadTimestamp(ref Utf8JsonReader reader, RecordContext context, string field)
    {
        var (index, errors) = (context.Index, context.Errors);
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String)
        {
            errors.Add(new IngestError(index, field, $"must be an RFC 3339 timestamp string, got a JSON {Describe(reader.TokenType)}"));
            reader.Skip();
            return null;
        }

        if (!reader.ValueIsEscaped && context.Repeats.TryGet(field, reader.ValueSpan, out DateTime same)) return same;
        if (Text(ref reader, index, field, errors) is not { } text) return null;
        if (!TryParseRfc3339(text, out var value))
        {
            errors.Add(new IngestError(index, field, $"\"{Clip(text)}\" is not an RFC 3339 timestamp with an offset, e.g. 2026-11-25T14:00:00Z"));
            return null;
        }

        if (!reader.ValueIsEscaped) context.Repeats.Remember(field, reader.ValueSpan, value);
        return value;
    }

    public static bool TryParseRfc3339(string text, out DateTime utc)
    {
        utc = default;
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') ||
                        (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');
        if (!hasOffset || text.Length < 20 || text[10] is not ('T' or 't' or ' ')) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        utc = parsed.UtcDateTime;
        return true;
    }

    public static Dictionary<string, string>? ReadTags(ref Utf8JsonReader reader, RecordContext context, string field)
    {
        var (index, errors) = (context.Index, context.Errors);
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(new IngestError(index, field, $"must be an object of string to string, got a JSON {Describe(reader.TokenType)}"));
            reader.Skip();
            return null;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = Text(ref reader, index, field, errors) ?? "";
            reader.Read();
            if (tags.ContainsKey(key))
            {
                errors.Add(new IngestError(index, $"{field}.{key}", "appears more than once; send each tag once"));
                reader.Skip();
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                if (Text(ref reader, index, $"{field}.{key}", errors) is { } value) tags[key] = value;
            }
            else
            {
                errors.Add(new IngestError(index, $"{field}.{key}", $"must be a string, got a JSON {Describe(reader.TokenType)}"));
                reader.Skip();
            }
        }

        return tags;
    }

    internal static RecordScan TooMany(int records, List<IngestError> errors, int maxRecords) =>
        new(records, errors, new IngestError(maxRecords, "body",
            $"holds more than {maxRecords} records; split it into batches of at most {maxRecords}"));

    internal static IngestError Malformed(long index, JsonException ex) =>
        new(index, "body", $"malformed JSON near record {index} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {FirstSentence(ex.Message)}");

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static string Clip(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";

    internal static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
