using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>
/// The model's JSONCheckPath* functions on one JSON cell, for the paths the model uses: <c>$.Key</c>,
/// <c>$.Key[*]</c> and <c>$.Key[*].Key</c>. A null cell passes (the column's own nullability rules decide
/// about nulls); a cell that is not JSON fails every check.
/// </summary>
internal static class FocusJsonPathChecks
{
    private static readonly HashSet<JsonValueKind> Primitive = [JsonValueKind.String, JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null];

    /// <returns>Whether the check holds; null for a function this evaluator does not implement.</returns>
    public static bool? Holds(JsonElement check, string? cell)
    {
        var function = check.GetProperty("CheckFunction").GetString();
        if (function is "JSONCheckPathUnitFormat") return null;
        if (cell is null) return true;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(cell);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var path = check.GetProperty("Path").GetString()!;
            var (nodes, missing) = Select(document.RootElement, path);
            var topLevel = !path.Contains("[*]", StringComparison.Ordinal);
            return function switch
            {
                "JSONCheckPathType" => (!topLevel || missing == 0) && nodes.All(n => IsType(n, check.GetProperty("ExpectedType").GetString()!)),
                "JSONCheckPathKeyExists" => missing == 0,
                "JSONCheckPathKeyStartsWith" => nodes.All(n => n.ValueKind == JsonValueKind.Object && n.EnumerateObject().All(p =>
                    p.Name.StartsWith(check.GetProperty("Prefix").GetString()!, StringComparison.Ordinal)
                    || check.GetProperty("IgnoreKeys").EnumerateArray().Any(k => k.GetString() == p.Name))),
                "JSONCheckPathKeyValueFormat" => nodes.All(n => n.ValueKind == JsonValueKind.Object
                    && n.EnumerateObject().All(p => Primitive.Contains(p.Value.ValueKind))
                    && n.EnumerateObject().Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() == n.EnumerateObject().Count()),
                "JSONCheckPathNumericFormat" => nodes.All(n => n.ValueKind == JsonValueKind.Number || n.ValueKind == JsonValueKind.String && FocusValues.IsNumericFormat(n.GetString()!)),
                _ => null,
            };
        }
    }

    private static bool IsType(JsonElement node, string expected) => expected switch
    {
        "Array" => node.ValueKind == JsonValueKind.Array,
        "Object" => node.ValueKind == JsonValueKind.Object,
        "Decimal" => node.ValueKind == JsonValueKind.Number,
        "String" => node.ValueKind == JsonValueKind.String,
        _ => false,
    };

    /// <summary>The nodes a path reaches, and how many steps found no key to follow (a missing key, or a value of the wrong kind).</summary>
    public static (List<JsonElement> Nodes, int Missing) Select(JsonElement root, string path)
    {
        var nodes = new List<JsonElement> { root };
        var missing = 0;
        foreach (var step in path.TrimStart('$').Replace("[*]", ".[*]", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<JsonElement>();
            foreach (var node in nodes)
            {
                if (step == "[*]")
                {
                    if (node.ValueKind == JsonValueKind.Array) next.AddRange(node.EnumerateArray());
                    else missing++;
                }
                else if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(step, out var child))
                {
                    next.Add(child);
                }
                else
                {
                    missing++;
                }
            }

            nodes = next;
        }

        return (nodes, missing);
    }
}
