using System.Globalization;
using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Checks FOCUS 1.3 data against the column rules of <see cref="Focus13Schema"/>: every column
/// present, values of the column's type (decimals, UTC ISO 8601 date-times, ISO 4217 currency, JSON
/// objects), no null where the specification forbids it, enumerations within their allowed values,
/// and the row rules (ChargePeriodEnd after ChargePeriodStart; Allocated* only on allocated charges,
/// which name their AllocatedResourceId). The exporter checks each row before writing it, so a defect
/// stops the export instead of shipping a bad row. The whole-file check, against every rule of the FOCUS
/// requirements model that applies (split rows, presence, nullability, AllocatedMethodDetails), is
/// <see cref="FocusRuleEvaluator"/>, which the tests run on every export.
/// </summary>
public static class FocusConformance
{
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
