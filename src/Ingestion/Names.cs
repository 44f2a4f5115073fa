using System.Text.RegularExpressions;

namespace CloudSentinel.Ingestion;

/// <summary>The shape rules for tenant and service names that every input path shares.</summary>
public static partial class Names
{
    public const int MaxServiceNameLength = 128;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantPattern();

    /// <summary>Returns null when the tenant is valid, else the reason it is not.</summary>
    public static string? CheckTenant(string? tenant) => tenant switch
    {
        null or "" => "is required",
        _ when !TenantPattern().IsMatch(tenant) => $"'{Truncate(tenant)}' does not match [a-z0-9][a-z0-9_-]{{0,63}}",
        _ => null,
    };

    /// <summary>Returns null when the service name is valid, else the reason it is not.</summary>
    public static string? CheckServiceName(string serviceName)
    {
        if (serviceName.Length == 0 || string.IsNullOrWhiteSpace(serviceName)) return "must not be empty";
        if (serviceName.Length > MaxServiceNameLength) return $"is longer than {MaxServiceNameLength} characters";
        if (serviceName != serviceName.Trim()) return "must not start or end with white space";
        foreach (var c in serviceName)
        {
            if (char.IsControl(c)) return "must not contain control characters";
        }

        return null;
    }

    /// <summary>Null when PostgreSQL text can hold the value; it cannot hold U+0000, which would fail the write of every row batched with it.</summary>
    public static string? CheckStorable(string? value) =>
        value is not null && value.Contains('\0') ? "contains a NUL character (U+0000), which cannot be stored" : null;

    private static string Truncate(string value) => value.Length <= 70 ? value : value[..70] + "…";
}
