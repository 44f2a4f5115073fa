namespace CloudSentinel.Anomalies;

/// <summary>A validated monthly budget of one service, or of the whole tenant when the service is <c>*</c>.</summary>
public sealed record MonthlyBudget(string Tenant, string ServiceName, decimal AmountUsd)
{
    /// <summary>The service name that stands for the tenant's total.</summary>
    public const string TenantTotal = "*";

    public bool IsTenantTotal => ServiceName == TenantTotal;
}

/// <summary>Either a budget or the message that says which field is wrong and why.</summary>
public sealed record BudgetValidation(MonthlyBudget? Budget, string? Error)
{
    public bool IsValid => Error is null;
}
