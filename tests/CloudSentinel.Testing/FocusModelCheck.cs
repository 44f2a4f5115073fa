using System.Text.Json;
using CloudSentinel.Connectors;
using CloudSentinel.Core;

namespace CloudSentinel.Testing;

/// <summary>
/// The conformance check of the tests: every rule of the copied FOCUS 1.3 requirements model
/// (tests/FocusRequirementsModel) evaluated against an export, with the features CloudSentinel's
/// metadata declares and the origin charges the test knows independently of the file. Failures are
/// reported by rule id; the summary line gives the number of rules checked.
/// </summary>
public static class FocusModelCheck
{
    public const string ModelFile = "FocusRequirementsModel/focus-1.3-cost-and-usage-rules.json";

    /// <summary>Recommendations the export does not follow, with the reason (docs/connectors.md lists them too).</summary>
    public static readonly IReadOnlyDictionary<string, string> NotFollowed = new Dictionary<string, string>
    {
        ["CAU-CostAndUsage-D-042-O"] = "ServiceSubcategory: CloudSentinel keeps a cost type per bucket, not the provider's subcategory",
    };

    public static IReadOnlyList<FocusModelRule> Rules { get; } = Load();

    private static IReadOnlyList<FocusModelRule> Load()
    {
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, ModelFile)));
        return FocusModelRule.Load(model);
    }

    /// <summary>Evaluates every rule; returns the report, whose <see cref="Report.Failures"/> the caller asserts empty.</summary>
    public static async Task<Report> CheckAsync(Stream export, Func<IReadOnlyList<string?>, FocusOriginCharge?> origin)
    {
        var data = await FocusDataset.ReadAsync(export);
        var evaluator = new FocusRuleEvaluator(Rules, new FocusEvaluationOptions
        {
            SupportedFeatures = FocusExportMetadata.SupportedFeatures,
            OriginKeyColumns = FocusExportRows.OriginKeyColumns,
            Origin = origin,
        });
        // The column rules of the rules not copied (types, nullability, allowed values of every column), as the export applies them to each row.
        var columnErrors = new List<IngestError>();
        for (var i = 0; i < data.Rows.Count; i++)
        {
            var row = data.Rows[i];
            FocusConformance.CheckRow(i + 1, column => data.Value(row, column), columnErrors);
        }

        columnErrors.AddRange(Focus13Schema.Columns.Where(c => !data.Has(c.Name)).Select(c => new IngestError(0, c.Name, "the column is missing")));
        return new Report(evaluator.Evaluate(data), data, columnErrors);
    }

    public sealed record Report(IReadOnlyList<FocusRuleResult> Results, FocusDataset Data, IReadOnlyList<IngestError> ColumnErrors)
    {
        /// <summary>Broken rules of the model, and breaks of the column rules (as pseudo-results named Focus13Schema:Column).</summary>
        public IReadOnlyList<FocusRuleResult> Failures =>
            Results.Where(r => r.Outcome == FocusRuleOutcome.Failed && !NotFollowed.ContainsKey(r.Rule.Id))
                .Concat(ColumnErrors.Take(20).Select(e => new FocusRuleResult(ColumnRule(e.Field), FocusRuleOutcome.Failed, e.ToString())))
                .ToList();

        private static FocusModelRule ColumnRule(string column) =>
            new($"Focus13Schema:{column}", "Validation", column, "Column", "Active", [], "Static", "MUST", "the column rules of Focus13Schema", default, default);

        public int Checked => Results.Count(r => r.Outcome is FocusRuleOutcome.Passed or FocusRuleOutcome.Failed);

        public string Summary() =>
            $"FOCUS 1.3 requirements model: {Results.Count} rules, {Checked} checked " +
            $"({Results.Count(r => r.Outcome == FocusRuleOutcome.Passed)} passed, {Results.Count(r => r.Outcome == FocusRuleOutcome.Failed)} failed" +
            $"{(NotFollowed.Count > 0 ? $", of which {Results.Count(r => r.Outcome == FocusRuleOutcome.Failed && NotFollowed.ContainsKey(r.Rule.Id))} recommendation(s) not followed" : "")}), " +
            $"{Results.Count(r => r.Outcome == FocusRuleOutcome.NotApplicable)} not applicable, {Results.Count(r => r.Outcome == FocusRuleOutcome.NotCovered)} not covered; " +
            $"{Data.Rows.Count} rows; not covered: {string.Join(", ", Results.Where(r => r.Outcome == FocusRuleOutcome.NotCovered).Select(r => r.Rule.Id))}" +
            string.Concat(Failures.Select(f => $"\n  FAILED {f}"));
    }
}
