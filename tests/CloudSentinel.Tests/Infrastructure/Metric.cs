using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudSentinel.Tests.Infrastructure;

/// <summary>Reads sample values out of the Prometheus text exposition format.</summary>
public static partial class Metric
{
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)"\s*,?""")]
    private static partial Regex LabelPair();

    public static double? Value(string exposition, string name, Dictionary<string, string> labels)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var found = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            if (found.Count == labels.Count && labels.All(l => found.TryGetValue(l.Key, out var v) && v == l.Value))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>Scrapes until the sample has the expected value (snapshots arrive asynchronously) and returns that scrape.</summary>
    public static async Task<string> WaitForAsync(CloudSentinelStack stack, string name, Dictionary<string, string> labels, double expected)
    {
        var exposition = "";
        await Eventually.Async(async () =>
        {
            exposition = await stack.ScrapeAsync();
            return Value(exposition, name, labels) is { } v && Math.Abs(v - expected) < 1e-9;
        }, $"{name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} to be {expected}");
        return exposition;
    }
}
