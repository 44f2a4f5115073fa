using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudSentinel.Connectors;

/// <summary>The value formats of the FOCUS attributes the evaluator checks (Decimal type, NumericFormat).</summary>
internal static partial class FocusValues
{
    public static bool IsDecimal(string text) => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>NumericFormat: an optional minus sign, digits with an optional decimal point, optionally scientific notation; no grouping, no currency.</summary>
    public static bool IsNumericFormat(string text) => Numeric().IsMatch(text);

    [GeneratedRegex(@"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex Numeric();
}
