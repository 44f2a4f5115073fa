using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>
/// One rule of the FOCUS Requirements Model (FOCUS_Spec, specification/requirements_model): its id (e.g.
/// CAU-CostAndUsage-D-038-M), what it is about, the features it depends on (ApplicabilityCriteria), its
/// RFC 2119 keyword, its text, and the machine-readable Requirement and Condition (empty for the
/// "Dynamic" rules the model states only in words).
/// </summary>
public sealed record FocusModelRule(
    string Id,
    string Function,
    string Reference,
    string EntityType,
    string Status,
    IReadOnlyList<string> ApplicabilityCriteria,
    string Type,
    string Keyword,
    string MustSatisfy,
    JsonElement Requirement,
    JsonElement Condition)
{
    /// <summary>MAY rules grant a permission: there is nothing a dataset could break.</summary>
    public bool IsPermission => Keyword == "MAY";

    /// <summary>Reads the rules of a model file: an object whose <c>ModelRules</c> maps rule ids to rules.</summary>
    public static IReadOnlyList<FocusModelRule> Load(JsonDocument model)
    {
        var rules = new List<FocusModelRule>();
        foreach (var entry in model.RootElement.GetProperty("ModelRules").EnumerateObject())
        {
            var rule = entry.Value;
            var criteria = rule.GetProperty("ValidationCriteria");
            rules.Add(new FocusModelRule(
                entry.Name,
                rule.GetProperty("Function").GetString()!,
                rule.GetProperty("Reference").GetString()!,
                rule.GetProperty("EntityType").GetString()!,
                rule.GetProperty("Status").GetString()!,
                rule.GetProperty("ApplicabilityCriteria").EnumerateArray().Select(c => c.GetString()!).ToList(),
                rule.GetProperty("Type").GetString()!,
                criteria.GetProperty("Keyword").GetString()!,
                criteria.GetProperty("MustSatisfy").GetString()!,
                criteria.GetProperty("Requirement").Clone(),
                criteria.GetProperty("Condition").Clone()));
        }

        return rules;
    }
}
