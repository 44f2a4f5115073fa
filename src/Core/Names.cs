using System.Text.RegularExpressions;

namespace CloudSentinel.Core;

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
        if (serviceName == "*") return "'*' is reserved (it means the tenant total of budgets)";
        if (serviceName.Length > 4 && serviceName.StartsWith("__", StringComparison.Ordinal) && serviceName.EndsWith("__", StringComparison.Ordinal))
        {
            return $"'{Truncate(serviceName)}' is reserved: names between double underscores are CloudSentinel's own (__idle__, __overflow__)";
        }

        return CheckVisible(serviceName);
    }

    /// <summary>
    /// Names must look like what they are. Control characters, invisible and direction-changing
    /// format characters (U+200B zero width space, U+202E right-to-left override, …) and unpaired
    /// surrogates are refused, not silently removed: "check\u200bout" would otherwise become a
    /// service that looks exactly like "checkout".
    /// </summary>
    public static string? CheckVisible(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c)) return $"must not contain control characters (U+{(int)c:X4} at position {i})";
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format) return $"must not contain invisible or direction-changing characters (U+{(int)c:X4} at position {i})";
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) i++;
            else if (char.IsSurrogate(c)) return $"must not contain an unpaired surrogate (U+{(int)c:X4} at position {i})";
        }

        return null;
    }

    /// <summary>
    /// Null when a free-text value (account, region, resource id, tag) is acceptable: PostgreSQL text
    /// cannot hold U+0000 (it would fail the write of every row batched with it), and control
    /// characters or unpaired surrogates in an identifier are a sender's mistake, not data.
    /// </summary>
    public static string? CheckStorable(string? value)
    {
        if (value is null) return null;
        if (value.Contains('\0')) return "contains a NUL character (U+0000), which cannot be stored";
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) return $"contains a control character (U+{(int)c:X4} at position {i})";
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(c)) return $"contains an unpaired surrogate (U+{(int)c:X4} at position {i})";
        }

        return null;
    }

    private static string Truncate(string value) => value.Length <= 70 ? value : value[..70] + "…";
}
