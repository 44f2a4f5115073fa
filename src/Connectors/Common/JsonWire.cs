using System.Globalization;
using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>Reading API answers strictly: anything unexpected fails the poll with a clear message rather than being guessed at.</summary>
internal static class JsonWire
{
    public static JsonDocument Parse(string source, string what, string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ConnectorException(source, $"malformed {what} response ({e.Message}): {HttpFailures.Snippet(body)}");
        }
    }

    public static JsonElement Required(this JsonElement element, string source, string what, string property, JsonValueKind kind)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == kind) return value;
        throw new ConnectorException(source, $"malformed {what} response: '{property}' is missing or not {kind.ToString().ToLowerInvariant()}");
    }

    /// <summary>The string value of an optional property, or null.</summary>
    public static string? OptionalString(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool TryDecimal(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryUtc(string? text, out DateTime value) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
}
