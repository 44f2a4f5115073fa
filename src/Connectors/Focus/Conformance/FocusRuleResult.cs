namespace CloudSentinel.Connectors;

public enum FocusRuleOutcome
{
    Passed,
    Failed,

    /// <summary>The rule depends on a feature the dataset's metadata declares unsupported, or only grants a permission (MAY).</summary>
    NotApplicable,

    /// <summary>The evaluator cannot check the rule (stated only in words, or a check function it does not implement).</summary>
    NotCovered,
}

/// <summary>What one rule of the model said about one dataset; <see cref="Detail"/> names the failing rows or the reason.</summary>
public sealed record FocusRuleResult(FocusModelRule Rule, FocusRuleOutcome Outcome, string Detail = "")
{
    public override string ToString() => $"{Rule.Id} [{Outcome}] {Rule.MustSatisfy}{(Detail.Length > 0 ? " — " + Detail : "")}";
}
