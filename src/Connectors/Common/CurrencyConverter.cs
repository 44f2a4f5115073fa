namespace CloudSentinel.Connectors;

/// <summary>Converts billed amounts to USD with a configured table; an unknown currency is an error, never a silent 1:1.</summary>
internal static class CurrencyConverter
{
    /// <summary>The currency (upper case) and its USD rate of an amount not in USD, so that the original amount stays known; null for USD or no rate.</summary>
    public static (string Currency, decimal UsdRate)? Original(string? currency, IReadOnlyDictionary<string, decimal> usdRates)
    {
        var code = currency?.Trim();
        if (string.IsNullOrEmpty(code) || code.Equals("USD", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var (name, rate) in usdRates)
        {
            if (name.Equals(code, StringComparison.OrdinalIgnoreCase)) return (code.ToUpperInvariant(), rate);
        }

        return null;
    }

    /// <summary>Returns null and sets <paramref name="error"/> when the amount cannot be converted.</summary>
    public static decimal? ToUsd(decimal amount, string? currency, IReadOnlyDictionary<string, decimal> usdRates, out string? error)
    {
        error = null;
        var code = currency?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            error = "is empty; the currency of the amount must be known";
            return null;
        }

        if (code.Equals("USD", StringComparison.OrdinalIgnoreCase)) return amount;
        foreach (var (name, rate) in usdRates)
        {
            if (name.Equals(code, StringComparison.OrdinalIgnoreCase)) return amount * rate;
        }

        error = $"currency '{code}' has no USD rate configured (add it to UsdRates, in USD per 1 {code})";
        return null;
    }
}
