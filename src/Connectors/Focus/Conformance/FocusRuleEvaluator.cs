using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>How to read a dataset against the model: which features it supports, and how to find the origin of split rows.</summary>
public sealed record FocusEvaluationOptions
{
    /// <summary>The ApplicabilityCriteria the dataset supports (as its metadata states); rules needing any other are not applicable.</summary>
    public required IReadOnlySet<string> SupportedFeatures { get; init; }

    /// <summary>The columns whose values identify the origin charge of an allocated row.</summary>
    public IReadOnlyList<string> OriginKeyColumns { get; init; } = ["ResourceId", "ChargePeriodStart", "ChargePeriodEnd"];

    /// <summary>The origin charge of an origin key (values of <see cref="OriginKeyColumns"/>), when the dataset holds only its parts.</summary>
    public Func<IReadOnlyList<string?>, FocusOriginCharge?>? Origin { get; init; }
}

/// <summary>
/// Evaluates the rules of the FOCUS Requirements Model against a dataset: applicability first (every
/// ApplicabilityCriteria of the rule and of the composites that include it must be supported), then the
/// rule's Requirement on every row where its Condition (and its composites' conditions) holds. Composite
/// rules pass when every applicable rule they include passes. The "Dynamic" rules, which the model
/// states only in words, are checked by <see cref="FocusDynamicRules"/> where a check is possible.
/// </summary>
public sealed class FocusRuleEvaluator
{
    private const int ReportedRows = 5;

    private readonly IReadOnlyList<FocusModelRule> _rules;
    private readonly Dictionary<string, FocusModelRule> _byId;
    private readonly Dictionary<string, List<FocusModelRule>> _parents = new(StringComparer.Ordinal);
    private readonly FocusEvaluationOptions _options;

    public FocusRuleEvaluator(IReadOnlyList<FocusModelRule> rules, FocusEvaluationOptions options)
    {
        _rules = rules;
        _options = options;
        _byId = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            foreach (var child in Children(rule))
            {
                if (!_parents.TryGetValue(child, out var list)) _parents[child] = list = [];
                list.Add(rule);
            }
        }
    }

    /// <summary>Every rule's result, in model order.</summary>
    public IReadOnlyList<FocusRuleResult> Evaluate(FocusDataset data)
    {
        var run = new Run(this, data);
        return _rules.Select(run.Result).ToList();
    }

    private static IEnumerable<string> Children(FocusModelRule rule) =>
        rule.Requirement.ValueKind == JsonValueKind.Object && Function(rule.Requirement) is "AND" or "OR"
            ? rule.Requirement.GetProperty("Items").EnumerateArray().Where(i => Function(i) == "CheckModelRule").Select(i => i.GetProperty("ModelRuleId").GetString()!)
            : [];

    private static string? Function(JsonElement check) =>
        check.ValueKind == JsonValueKind.Object && check.TryGetProperty("CheckFunction", out var f) ? f.GetString() : null;

    private IEnumerable<FocusModelRule> Ancestors(FocusModelRule rule)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<FocusModelRule>([rule]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var parent in _parents.GetValueOrDefault(next.Id) ?? [])
            {
                if (seen.Add(parent.Id))
                {
                    queue.Enqueue(parent);
                    yield return parent;
                }
            }
        }
    }

    /// <summary>One evaluation of one dataset: results are cached so that composites reuse their parts' verdicts.</summary>
    internal sealed class Run(FocusRuleEvaluator evaluator, FocusDataset data)
    {
        private readonly Dictionary<string, FocusRuleResult> _results = new(StringComparer.Ordinal);

        /// <summary>Rows that broke a row-level rule (for the rule that allocated rows satisfy every column rule).</summary>
        public HashSet<int> FailedRows { get; } = [];

        public FocusDataset Data => data;

        public FocusEvaluationOptions Options => evaluator._options;

        public FocusRuleResult Result(FocusModelRule rule)
        {
            if (_results.TryGetValue(rule.Id, out var known)) return known;
            var result = Compute(rule);
            _results[rule.Id] = result;
            return result;
        }

        public FocusRuleResult? Result(string id) => evaluator._byId.TryGetValue(id, out var rule) ? Result(rule) : null;

        public IEnumerable<FocusRuleResult> RowLevelResults() =>
            evaluator._rules.Where(r => r.Type == "Static" && IsRowLevel(r.Requirement)).Select(Result);

        private FocusRuleResult Compute(FocusModelRule rule)
        {
            var ancestors = evaluator.Ancestors(rule).ToList();
            var unsupported = rule.ApplicabilityCriteria.Concat(ancestors.SelectMany(a => a.ApplicabilityCriteria))
                .Distinct().Where(c => !Options.SupportedFeatures.Contains(c)).ToList();
            if (unsupported.Count > 0) return new(rule, FocusRuleOutcome.NotApplicable, $"needs {string.Join(", ", unsupported)}, which the dataset does not support");
            if (rule.IsPermission) return new(rule, FocusRuleOutcome.NotApplicable, "MAY: a permission, nothing to break");
            if (rule.Requirement.ValueKind != JsonValueKind.Object || !rule.Requirement.EnumerateObject().Any())
            {
                return FocusDynamicRules.Check(rule, this) ?? new(rule, FocusRuleOutcome.NotCovered, "stated in words only; no automatic check");
            }

            var children = Children(rule).ToList();
            if (children.Count > 0) return Composite(rule, children);
            if (Function(rule.Requirement) == "ColumnPresent")
            {
                var column = rule.Requirement.GetProperty("ColumnName").GetString()!;
                return data.Has(column) ? new(rule, FocusRuleOutcome.Passed) : new(rule, FocusRuleOutcome.Failed, $"column {column} is missing");
            }

            var conditions = ancestors.Select(a => a.Condition).Append(rule.Condition).Where(c => c.ValueKind == JsonValueKind.Object && c.EnumerateObject().Any()).ToList();
            var failing = new List<int>();
            for (var i = 0; i < data.Rows.Count; i++)
            {
                var row = data.Rows[i];
                if (!conditions.All(c => Holds(c, row) == true)) continue;
                switch (Holds(rule.Requirement, row))
                {
                    case null: return new(rule, FocusRuleOutcome.NotCovered, $"check function {Function(rule.Requirement)} is not implemented");
                    case false: failing.Add(i); break;
                }
            }

            if (failing.Count == 0) return new(rule, FocusRuleOutcome.Passed);
            FailedRows.UnionWith(failing);
            return new(rule, FocusRuleOutcome.Failed, Rows(failing));
        }

        private FocusRuleResult Composite(FocusModelRule rule, IReadOnlyList<string> children)
        {
            var results = children.Select(id => Result(id)).ToList();
            var missing = children.Where((_, i) => results[i] is null).ToList();
            var failed = results.Where(r => r?.Outcome == FocusRuleOutcome.Failed).Select(r => r!.Rule.Id).ToList();
            if (failed.Count > 0) return new(rule, FocusRuleOutcome.Failed, $"fails {string.Join(", ", failed)}");
            return missing.Count > 0
                ? new(rule, FocusRuleOutcome.Passed, $"includes rules not in the copied model: {string.Join(", ", missing)}")
                : new(rule, FocusRuleOutcome.Passed);
        }

        public static string Rows(IReadOnlyList<int> rows) =>
            $"{rows.Count} row(s), data rows {string.Join(", ", rows.Take(ReportedRows).Select(r => r + 1))}{(rows.Count > ReportedRows ? ", …" : "")}";

        private static bool IsRowLevel(JsonElement requirement) =>
            requirement.ValueKind == JsonValueKind.Object && Function(requirement) is { } f && f != "ColumnPresent" && !(f is "AND" or "OR" && requirement.GetProperty("Items").EnumerateArray().All(i => Function(i) == "CheckModelRule"));

        /// <summary>The check on one row: true, false, or null when the check function is unknown.</summary>
        private bool? Holds(JsonElement check, string?[] row)
        {
            switch (Function(check))
            {
                case "AND":
                    bool? all = true;
                    foreach (var item in check.GetProperty("Items").EnumerateArray())
                    {
                        var value = Holds(item, row);
                        if (value is null) return null;
                        all &= value;
                    }

                    return all;
                case "OR":
                    var any = false;
                    foreach (var item in check.GetProperty("Items").EnumerateArray())
                    {
                        var value = Holds(item, row);
                        if (value is null) return null;
                        any |= value.Value;
                    }

                    return any;
                case "CheckModelRule":
                    return Result(check.GetProperty("ModelRuleId").GetString()!)?.Outcome != FocusRuleOutcome.Failed;
                case "ColumnPresent":
                    return data.Has(check.GetProperty("ColumnName").GetString()!);
                case "CheckValue":
                    return Equals(Cell(check, row), Expected(check));
                case "CheckNotValue":
                    return !Equals(Cell(check, row), Expected(check));
                case "TypeDecimal":
                    return Cell(check, row) is not { } number || FocusValues.IsDecimal(number);
                case "FormatNumeric":
                    return Cell(check, row) is not { } numeric || FocusValues.IsNumericFormat(numeric);
                default:
                    return Function(check) is { } f && f.StartsWith("JSONCheckPath", StringComparison.Ordinal) ? FocusJsonPathChecks.Holds(check, Cell(check, row)) : null;
            }
        }

        private string? Cell(JsonElement check, string?[] row) => data.Value(row, check.GetProperty("ColumnName").GetString()!);

        private static string? Expected(JsonElement check) =>
            check.GetProperty("Value") is { ValueKind: not JsonValueKind.Null } value ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
    }
}
