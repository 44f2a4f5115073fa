using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>Reads the FOCUS Tags column: a JSON object whose keys exports sometimes pad with spaces.</summary>
internal static class FocusTags
{
    /// <summary>Returns the tags with trimmed keys, or null and a reason when the text is not a JSON object.</summary>
    public static Dictionary<string, string>? Parse(string text, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object";
                return null;
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var key = property.Name.Trim();
                if (key.Length == 0) continue;
                tags[key] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => "",
                    _ => property.Value.GetRawText(),
                };
            }

            return tags;
        }
        catch (JsonException e)
        {
            error = $"is not valid JSON ({e.Message})";
            return null;
        }
        catch (InvalidOperationException)
        {
            error = "holds a key or value that is not valid text (an unpaired surrogate such as \\ud800)";
            return null;
        }
    }

    /// <summary>Null when <paramref name="text"/> is well-formed JSON (the 1.3 JSON columns AllocatedMethodDetails and ContractApplied), else why not.</summary>
    public static string? CheckJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return null;
        }
        catch (JsonException e)
        {
            return $"is not valid JSON ({e.Message})";
        }
    }

    /// <summary>The value of the first key of <paramref name="keys"/> that is present with a non-blank value.</summary>
    public static string? FirstValue(IReadOnlyDictionary<string, string>? tags, IReadOnlyList<string> keys)
    {
        if (tags is null) return null;
        foreach (var wanted in keys)
        {
            foreach (var (key, value) in tags)
            {
                if (key.Equals(wanted.Trim(), StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value)) return value.Trim();
            }
        }

        return null;
    }
}
