using System.Globalization;
using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>
/// Checks for the model's "Dynamic" rules (stated in words, without a machine-readable Requirement) that
/// a dataset can be checked against: the split cost allocation rules (parts sum to their origin, repeat
/// its dimensions and tags, ratios sum to 1) and the property rules of AllocatedMethodDetails. Parts of
/// one origin are the allocated rows with the same <see cref="FocusEvaluationOptions.OriginKeyColumns"/>;
/// their origin is an unsplit row of the dataset with that key or, when the dataset holds only the
/// parts, <see cref="FocusEvaluationOptions.Origin"/>.
/// </summary>
internal static class FocusDynamicRules
{
    /// <summary>The summable (aggregatable) metric columns of a Cost and Usage dataset.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity", "ConsumedQuantity", "CommitmentDiscountQuantity"];

    /// <summary>Columns that describe the part rather than the origin, so they may differ between parts.</summary>
    private static readonly HashSet<string> PartColumns = ["AllocatedMethodDetails", "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags"];

    private static readonly string[] AllocationProperties = ["AllocatedRatio", "UsageQuantity", "UsageUnit"];

    private const string SplitFeature = "DATA_GENERATOR_SPLIT_COST_ALLOCATION_SUPPORTED";

    public static FocusRuleResult? Check(FocusModelRule rule, FocusRuleEvaluator.Run run)
    {
        var data = run.Data;
        var split = run.Options.SupportedFeatures.Contains(SplitFeature);
        return rule.Id switch
        {
            "CAU-ConsumedQuantity-C-008-C" => PerRow(rule, data, row => data.Value(row, "ConsumedQuantity") is not { } q || FocusValues.IsDecimal(q)),
            "CAU-AllocatedMethodDetailsObject-O-005-M" => PerElement(rule, data, e => e.EnumerateObject().All(p =>
                !AllocationProperties.Any(name => string.Equals(name, p.Name, StringComparison.OrdinalIgnoreCase) && name != p.Name))),
            "CAU-AllocatedMethodDetailsObject-O-006-M" => PerElement(rule, data, e => e.EnumerateObject().All(p => p.Name switch
            {
                "AllocatedRatio" or "UsageQuantity" => p.Value.ValueKind == JsonValueKind.Number,
                "UsageUnit" => p.Value.ValueKind == JsonValueKind.String,
                _ => true,
            })),
            "CAU-AllocatedMethodDetailsObject-O-014-M" => PerOrigin(rule, run, (parts, _) =>
                parts.Sum(p => Ratios(data, p)) is var sum && sum == 1m ? null : $"AllocatedRatio sums to {sum.ToString(CultureInfo.InvariantCulture)}"),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-001-C" => Columns(rule, data, split, "AllocatedMethodId", "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags"),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-002-C" => Columns(rule, data, split, "AllocatedMethodDetails"),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-003-M" => PerOrigin(rule, run, (parts, origin) => SumsDiffer(data, parts, origin)),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-004-M" => PerOrigin(rule, run, (parts, origin) => DimensionsDiffer(data, parts, origin)),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-005-M" => PerOrigin(rule, run, (parts, origin) => TagsDiffer(data, parts, origin)),
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-006-M" => AllocatedRowsFollowColumnRules(rule, run),
            _ => null,
        };
    }

    private static FocusRuleResult Verdict(FocusModelRule rule, IReadOnlyList<string> problems) =>
        problems.Count == 0 ? new(rule, FocusRuleOutcome.Passed) : new(rule, FocusRuleOutcome.Failed, $"{problems.Count} problem(s): {string.Join("; ", problems.Take(5))}");

    private static FocusRuleResult PerRow(FocusModelRule rule, FocusDataset data, Func<string?[], bool> holds)
    {
        var failing = Enumerable.Range(0, data.Rows.Count).Where(i => !holds(data.Rows[i])).ToList();
        return failing.Count == 0 ? new(rule, FocusRuleOutcome.Passed) : new(rule, FocusRuleOutcome.Failed, FocusRuleEvaluator.Run.Rows(failing));
    }

    private static FocusRuleResult PerElement(FocusModelRule rule, FocusDataset data, Func<JsonElement, bool> holds) => PerRow(rule, data, row =>
    {
        if (data.Value(row, "AllocatedMethodDetails") is not { } text) return true;
        try
        {
            using var document = JsonDocument.Parse(text);
            var (elements, _) = FocusJsonPathChecks.Select(document.RootElement, "$.Elements[*]");
            return elements.Where(e => e.ValueKind == JsonValueKind.Object).All(holds);
        }
        catch (JsonException)
        {
            return false;
        }
    });

    private static FocusRuleResult Columns(FocusModelRule rule, FocusDataset data, bool split, params string[] columns)
    {
        if (!split) return new(rule, FocusRuleOutcome.NotApplicable, $"needs {SplitFeature}, which the dataset does not support");
        return Verdict(rule, columns.Where(c => !data.Has(c)).Select(c => $"column {c} is missing").ToList());
    }

    private static FocusRuleResult PerOrigin(FocusModelRule rule, FocusRuleEvaluator.Run run,
        Func<IReadOnlyList<string?[]>, (FocusOriginCharge? Charge, string?[]? Row), string?> problem)
    {
        var data = run.Data;
        if (!run.Options.SupportedFeatures.Contains(SplitFeature)) return new(rule, FocusRuleOutcome.NotApplicable, $"needs {SplitFeature}, which the dataset does not support");
        var keyColumns = run.Options.OriginKeyColumns;
        string Key(string?[] row) => string.Join('\u001f', keyColumns.Select(c => data.Value(row, c) ?? "\u2400"));
        var allocated = data.Rows.Where(r => data.Value(r, "AllocatedMethodId") is not null).GroupBy(Key).ToList();
        var unsplit = data.Rows.Where(r => data.Value(r, "AllocatedMethodId") is null).GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var problems = new List<string>();
        foreach (var parts in allocated)
        {
            var keyValues = keyColumns.Select(c => data.Value(parts.First(), c)).ToList();
            var origin = (run.Options.Origin?.Invoke(keyValues), unsplit.GetValueOrDefault(parts.Key));
            if (problem(parts.ToList(), origin) is { } text) problems.Add($"origin ({string.Join(", ", keyValues)}): {text}");
        }

        return Verdict(rule, problems);
    }

    private static decimal Ratios(FocusDataset data, string?[] row)
    {
        if (data.Value(row, "AllocatedMethodDetails") is not { } text) return 0m;
        using var document = JsonDocument.Parse(text);
        var (ratios, _) = FocusJsonPathChecks.Select(document.RootElement, "$.Elements[*].AllocatedRatio");
        return ratios.Where(r => r.ValueKind == JsonValueKind.Number).Sum(r => r.GetDecimal());
    }

    private static decimal? Number(string? text) => text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? SumsDiffer(FocusDataset data, IReadOnlyList<string?[]> parts, (FocusOriginCharge? Charge, string?[]? Row) origin)
    {
        if (origin.Charge is null && origin.Row is null) return "the origin charge is unknown";
        var problems = new List<string>();
        foreach (var metric in Metrics.Where(data.Has))
        {
            // A checker that knows the origin only from elsewhere may not know every metric of it (e.g. its consumed quantity).
            if (origin.Row is null && !origin.Charge!.Metrics.ContainsKey(metric)) continue;
            decimal? expected = origin.Row is { } row ? Number(data.Value(row, metric)) : origin.Charge!.Metrics[metric];
            var values = parts.Select(p => Number(data.Value(p, metric))).ToList();
            if (expected is null && values.All(v => v is null)) continue;
            var sum = values.Sum(v => v ?? 0m);
            if (expected != sum) problems.Add($"{metric} of the parts sums to {sum.ToString(CultureInfo.InvariantCulture)}, the origin's is {expected?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
        }

        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    private static string? DimensionsDiffer(FocusDataset data, IReadOnlyList<string?[]> parts, (FocusOriginCharge? Charge, string?[]? Row) origin)
    {
        var reference = origin.Row ?? parts[0];
        var differing = data.Columns.Where(c => !Metrics.Contains(c) && !PartColumns.Contains(c))
            .Where(c => parts.Any(p => !string.Equals(data.Value(p, c), data.Value(reference, c), StringComparison.Ordinal)) && !(c == "AllocatedMethodId" && origin.Row is not null))
            .ToList();
        return differing.Count == 0 ? null : $"parts differ in {string.Join(", ", differing)}";
    }

    private static string? TagsDiffer(FocusDataset data, IReadOnlyList<string?[]> parts, (FocusOriginCharge? Charge, string?[]? Row) origin)
    {
        IReadOnlyDictionary<string, string>? expected = origin.Row is { } row ? Tags(data.Value(row, "Tags")) : origin.Charge?.Tags;
        if (expected is null) return "the origin charge is unknown";
        var missing = parts.Select(p => Tags(data.Value(p, "Tags")))
            .SelectMany(tags => expected.Where(e => tags is null || !tags.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => e.Key))
            .Distinct().ToList();
        return missing.Count == 0 ? null : $"parts lack the origin's tags {string.Join(", ", missing)}";
    }

    private static Dictionary<string, string>? Tags(string? text)
    {
        if (text is null) return new Dictionary<string, string>();
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind != JsonValueKind.Object ? null
                : document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static FocusRuleResult AllocatedRowsFollowColumnRules(FocusModelRule rule, FocusRuleEvaluator.Run run)
    {
        // Evaluating every row-level rule fills FailedRows.
        _ = run.RowLevelResults().ToList();

        var data = run.Data;
        var failing = run.FailedRows.Where(i => data.Value(data.Rows[i], "AllocatedMethodId") is not null).Order().ToList();
        return failing.Count == 0 ? new(rule, FocusRuleOutcome.Passed) : new(rule, FocusRuleOutcome.Failed, $"allocated {FocusRuleEvaluator.Run.Rows(failing)} break column rules");
    }
}
