using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CloudSentinel.Testing;

/// <summary>The time range, template variables and data source flags one query runs with.</summary>
public sealed record GrafanaQueryContext(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyDictionary<string, string> Variables,
    bool TimescaleDb = false,
    string Interval = "1h");

/// <summary>
/// Expands a dashboard's SQL the way Grafana's PostgreSQL data source does before it sends the
/// query: template variables first (as the frontend does), then the backend macros. The
/// expansions follow Grafana's postgres macro engine, listed in ARCHITECTURE.md. Anything it
/// does not know (an unknown macro or variable) is an error, so a dashboard cannot use a macro
/// that these tests never executed.
/// </summary>
public static partial class GrafanaMacroExpander
{
    public static string Expand(string sql, GrafanaQueryContext context)
    {
        var withVariables = ExpandVariables(sql, context);
        var expanded = ExpandMacros(withVariables, context);
        if (LeftoverDollar().Match(expanded) is { Success: true } leftover)
        {
            throw new InvalidOperationException($"unexpanded '{leftover.Value}' in query:\n{expanded}");
        }

        return expanded;
    }

    private static string ExpandVariables(string sql, GrafanaQueryContext context)
    {
        string Lookup(string name) =>
            name switch
            {
                "__interval" => context.Interval,
                "__interval_ms" => ((long)ParseInterval(context.Interval).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                _ when context.Variables.TryGetValue(name, out var value) => value,
                _ => throw new InvalidOperationException($"template variable ${name} has no value"),
            };

        var braced = BracedVariable().Replace(sql, m => Lookup(m.Groups[1].Value));
        var bracketed = BracketVariable().Replace(braced, m => Lookup(m.Groups[1].Value));
        return PlainVariable().Replace(bracketed, m =>
            m.Groups[1].Value.StartsWith("__", StringComparison.Ordinal) && !m.Groups[1].Value.StartsWith("__interval", StringComparison.Ordinal)
                ? m.Value
                : Lookup(m.Groups[1].Value));
    }

    private static string ExpandMacros(string sql, GrafanaQueryContext context)
    {
        var output = new StringBuilder(sql.Length);
        var position = 0;
        while (true)
        {
            var match = MacroStart().Match(sql, position);
            if (!match.Success)
            {
                output.Append(sql, position, sql.Length - position);
                return output.ToString();
            }

            output.Append(sql, position, match.Index - position);
            var argumentsStart = match.Index + match.Length;
            var argumentsEnd = FindClosingParenthesis(sql, argumentsStart);
            var arguments = SplitArguments(sql[argumentsStart..argumentsEnd]);
            output.Append(Evaluate(match.Groups[1].Value, arguments, context));
            position = argumentsEnd + 1;
        }
    }

    private static string Evaluate(string macro, IReadOnlyList<string> args, GrafanaQueryContext context)
    {
        switch (macro)
        {
            case "timeFilter":
                RequireArguments(macro, args, 1);
                return $"{args[0]} BETWEEN '{FormatTime(context.From)}' AND '{FormatTime(context.To)}'";
            case "timeFrom":
                RequireArguments(macro, args, 0);
                return $"'{FormatTime(context.From)}'";
            case "timeTo":
                RequireArguments(macro, args, 0);
                return $"'{FormatTime(context.To)}'";
            case "timeGroup":
                return TimeGroup(args, context);
            case "timeGroupAlias":
                return TimeGroup(args, context) + " AS \"time\"";
            default:
                throw new InvalidOperationException($"macro $__{macro} is not supported by these tests");
        }
    }

    private static string TimeGroup(IReadOnlyList<string> args, GrafanaQueryContext context)
    {
        if (args.Count < 2)
        {
            throw new InvalidOperationException("$__timeGroup needs a column and an interval");
        }

        var seconds = ParseInterval(args[1].Trim('\'', '"', ' ')).TotalSeconds;
        return context.TimescaleDb
            ? $"time_bucket('{seconds.ToString("F3", CultureInfo.InvariantCulture)}s',{args[0]})"
            : $"floor(extract(epoch from {args[0]})/{FormatNumber(seconds)})*{FormatNumber(seconds)}";
    }

    /// <summary>Go's %v of a float64, which is what Grafana prints for the bucket width.</summary>
    private static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 with nanoseconds and trailing zeros trimmed, in UTC, as Go formats it.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (fraction != 0)
        {
            text += "." + (fraction * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + "Z";
    }

    public static TimeSpan ParseInterval(string interval)
    {
        var match = IntervalPattern().Match(interval);
        if (!match.Success)
        {
            throw new InvalidOperationException($"'{interval}' is not an interval like 30s, 5m, 1h, 1d");
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            "w" => TimeSpan.FromDays(7 * amount),
            _ => throw new InvalidOperationException($"unknown unit in '{interval}'"),
        };
    }

    private static void RequireArguments(string macro, IReadOnlyList<string> args, int count)
    {
        var given = args.Count == 1 && args[0].Length == 0 ? 0 : args.Count;
        if (given != count)
        {
            throw new InvalidOperationException($"$__{macro} takes {count} argument(s), got {given}");
        }
    }

    private static int FindClosingParenthesis(string sql, int start)
    {
        var depth = 0;
        var quote = '\0';
        for (var i = start; i < sql.Length; i++)
        {
            var c = sql[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        throw new InvalidOperationException($"unclosed macro call at: {sql[Math.Max(0, start - 20)..]}");
    }

    private static List<string> SplitArguments(string text)
    {
        var result = new List<string>();
        var depth = 0;
        var quote = '\0';
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                result.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        result.Add(current.ToString().Trim());
        return result;
    }

    [GeneratedRegex(@"\$\{(\w+)(?::\w+)?\}")]
    private static partial Regex BracedVariable();

    [GeneratedRegex(@"\[\[(\w+)\]\]")]
    private static partial Regex BracketVariable();

    [GeneratedRegex(@"\$(\w+)(?!\w)(?!\s*\()")]
    private static partial Regex PlainVariable();

    [GeneratedRegex(@"\$__(\w+)\s*\(")]
    private static partial Regex MacroStart();

    [GeneratedRegex(@"\$[\w{\[]+")]
    private static partial Regex LeftoverDollar();

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)(ms|s|m|h|d|w)\s*$")]
    private static partial Regex IntervalPattern();
}
