using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudSentinel.Anomalies;

/// <summary>
/// Validates budget input for the budgets API. Tenant and service rules mirror ingest
/// (CloudSentinel.Core.Names) so that a budget can always name a service that ingest accepts;
/// they are repeated here because this library takes no project references.
/// </summary>
public static partial class BudgetValidator
{
    public const decimal MaxAmountUsd = 1_000_000_000_000m;
    public const int MaxServiceNameLength = 128;
    public const string Currency = "USD";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantPattern();

    /// <summary>
    /// Checks every field and returns the budget, or the first error as "field: reason".
    /// A missing currency means USD; any other currency is rejected rather than converted.
    /// </summary>
    public static BudgetValidation Validate(string? tenant, string? serviceName, double amountUsd, string? currency = Currency)
    {
        var error = Field("tenant", CheckTenant(tenant))
            ?? Field("service_name", CheckServiceName(serviceName))
            ?? Field("amount_usd", CheckAmount(amountUsd))
            ?? Field("currency", CheckCurrency(currency));
        return error is null
            ? new BudgetValidation(new MonthlyBudget(tenant!, serviceName!, (decimal)amountUsd), null)
            : new BudgetValidation(null, error);
    }

    /// <summary>Null when valid, else the reason.</summary>
    public static string? CheckTenant(string? tenant) => tenant switch
    {
        null or "" => "is required",
        _ when !TenantPattern().IsMatch(tenant) => $"'{Shorten(tenant)}' does not match [a-z0-9][a-z0-9_-]{{0,63}}",
        _ => null,
    };

    /// <summary>Null when valid, else the reason. <c>*</c> is valid and means the tenant total.</summary>
    public static string? CheckServiceName(string? serviceName)
    {
        if (string.IsNullOrWhiteSpace(serviceName)) return "must not be empty";
        if (serviceName.Length > MaxServiceNameLength) return $"is longer than {MaxServiceNameLength} characters";
        if (serviceName != serviceName.Trim()) return "must not start or end with white space";
        foreach (var c in serviceName)
        {
            if (char.IsControl(c)) return "must not contain control characters";
        }

        return null;
    }

    /// <summary>Null when valid, else the reason.</summary>
    public static string? CheckAmount(double amountUsd)
    {
        if (!double.IsFinite(amountUsd)) return "must be a finite number";
        if (amountUsd <= 0) return string.Create(CultureInfo.InvariantCulture, $"must be positive, got {amountUsd}");
        if (amountUsd > (double)MaxAmountUsd) return string.Create(CultureInfo.InvariantCulture, $"must be at most {MaxAmountUsd:0}, got {amountUsd:0}");
        return null;
    }

    /// <summary>Null when valid, else the reason.</summary>
    public static string? CheckCurrency(string? currency) =>
        currency is null or Currency ? null : $"'{Shorten(currency)}' is not supported; budgets are in USD";

    private static string? Field(string name, string? reason) => reason is null ? null : $"{name}: {reason}";

    private static string Shorten(string value) => value.Length <= 70 ? value : value[..70] + "…";
}
