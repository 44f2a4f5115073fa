using System.Globalization;
using System.Text.Json;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Connectors;

/// <summary>
/// Checks FOCUS 1.3 data against the column rules of <see cref="Focus13Schema"/>: every column
/// present, values of the column's type (decimals, UTC ISO 8601 date-times, ISO 4217 currency, JSON
/// objects), no null where the specification forbids it, enumerations within their allowed values,
/// and the row rules (ChargePeriodEnd after ChargePeriodStart; Allocated* only on allocated charges,
/// which name their AllocatedResourceId). The exporter checks each row before writing it; a file can
/// be checked after the fact with <see cref="CheckAsync"/>.
/// </summary>
public static class FocusConformance
{
    /// <summary>The header's missing columns, as errors of line 1.</summary>
    public static IEnumerable<IngestError> CheckHeader(IReadOnlyList<string> header) =>
        Focus13Schema.Columns.Where(c => !header.Contains(c.Name, StringComparer.Ordinal))
            .Select(c => new IngestError(1, c.Name, "the FOCUS 1.3 column is missing"));

    /// <summary>Adds the row's violations to <paramref name="errors"/>; <paramref name="value"/> gives a column's text or null.</summary>
    public static void CheckRow(long line, Func<string, string?> value, List<IngestError> errors)
    {
        foreach (var column in Focus13Schema.Columns)
        {
            if (CheckValue(column, value(column.Name)) is { } problem) errors.Add(new IngestError(line, column.Name, problem));
        }

        if (Time(value("ChargePeriodStart")) is { } start && Time(value("ChargePeriodEnd")) is { } end && end <= start)
        {
            errors.Add(new IngestError(line, "ChargePeriodEnd", "is not after ChargePeriodStart"));
        }

        if (value("AllocatedMethodId") is null)
        {
            foreach (var name in Focus13Schema.AllocationColumns.Skip(1))
            {
                if (value(name) is not null) errors.Add(new IngestError(line, name, "must be null when AllocatedMethodId is null"));
            }
        }
        else if (value("AllocatedResourceId") is null)
        {
            errors.Add(new IngestError(line, "AllocatedResourceId", "must not be null on an allocated charge"));
        }
    }

    /// <summary>Reads a whole export (CSV, gzip CSV or Parquet) and returns every violation, by line or row.</summary>
    public static async Task<IReadOnlyList<IngestError>> CheckAsync(Stream file, CancellationToken cancellationToken = default)
    {
        await using var table = await FocusFileOpener.OpenAsync(file, cancellationToken);
        var errors = CheckHeader(table.Columns).ToList();
        if (errors.Count > 0) return errors;

        var index = table.Columns.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var wanted = Focus13Schema.Columns.Select(c => index[c.Name]).ToHashSet();
        await foreach (var row in table.ReadRowsAsync(wanted, cancellationToken))
        {
            if (row.Values.Count != table.Columns.Count)
            {
                errors.Add(new IngestError(row.Line, "(row)", $"has {row.Values.Count} fields but the header has {table.Columns.Count}"));
                continue;
            }

            CheckRow(row.Line, name => row.Values[index[name]] is { Length: > 0 } text ? text : null, errors);
        }

        return errors;
    }

    private static string? CheckValue(FocusColumn column, string? text)
    {
        if (text is null) return column.Nullable ? null : "must not be null";
        if (column.Allowed is { } allowed && !allowed.Contains(text)) return $"'{text}' is not an allowed value";
        return column.Kind switch
        {
            FocusValueKind.Decimal when !decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => $"'{text}' is not a decimal",
            FocusValueKind.DateTime when Time(text) is null => $"'{text}' is not a UTC ISO 8601 date-time (…Z)",
            FocusValueKind.Currency when text.Length != 3 || !text.All(char.IsAsciiLetterUpper) => $"'{text}' is not an ISO 4217 currency code",
            FocusValueKind.JsonObject => Json(text, objectOnly: true),
            FocusValueKind.Json => Json(text, objectOnly: false),
            _ => null,
        };
    }

    private static DateTime? Time(string? text) =>
        text is not null && text.EndsWith('Z')
        && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    private static string? Json(string text, bool objectOnly)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return objectOnly && document.RootElement.ValueKind != JsonValueKind.Object ? "is not a JSON object" : null;
        }
        catch (JsonException e)
        {
            return $"is not valid JSON ({e.Message})";
        }
    }
}
