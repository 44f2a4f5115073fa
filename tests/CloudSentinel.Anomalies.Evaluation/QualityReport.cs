using System.Globalization;
using System.Text;

namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>Formats harness results as the Markdown that BENCHMARKS.md and docs/anomalies.md quote.</summary>
public static class QualityReport
{
    public static string Format(QualityResult result)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        var s = result.Scenario;
        Line($"Scenario {s.Name}, seed {result.Seed}: {result.Services} services × {s.Hours} hours ({s.Start:yyyy-MM-dd} to {s.End:yyyy-MM-dd}), {result.Restatements} restatements, {result.Detection[0].Events} labelled events.");
        md.AppendLine();
        Line($"| detector | precision | recall | F1 | detected / events | false-positive hours | per service-month | mean delay (h) | median delay (h) |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var d in result.Detection)
        {
            Line($"| {d.Detector} | {d.Precision:0.000} | {d.Recall:0.000} | {d.F1:0.000} | {d.Detected} / {d.Events} | {d.FalsePositives} | {d.FalsePositivesPerServiceMonth:0.00} | {d.All.MeanDelayHours:0.0} | {d.All.MedianDelayHours} |");
        }

        md.AppendLine();
        Line($"| kind: recall (detected / events), delay to first flag mean / median / max (h) | {string.Join(" | ", result.Detection.Select(d => d.Detector))} |");
        Line($"|---|{string.Concat(result.Detection.Select(_ => "---:|"))}");
        foreach (var kind in Enum.GetValues<AnomalyKind>())
        {
            var cells = result.Detection.Select(d => d.ByKind[kind])
                .Select(c => FormattableString.Invariant($"{c.Recall:0.00} ({c.Detected} / {c.Events}), {c.MeanDelayHours:0.0} / {c.MedianDelayHours} / {c.MaxDelayHours}"));
            Line($"| {kind} | {string.Join(" | ", cells)} |");
        }

        return md.ToString();
    }

    public static string Format(ForecastResult result)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        var s = SeriesScenario.Months;
        Line($"Scenario {s.Name}, seed {result.Seed}: {result.Services} services, month totals of {s.Start.AddMonths(1):yyyy-MM} to {s.End.AddMonths(-1):yyyy-MM} (each with a month of history) forecast at the end of each day below.");
        md.AppendLine();
        Line($"| month-end forecast | months | cases | MAPE ours | MAPE naive (MTD × days / elapsed) | ours / naive | actual inside our 95% band |");
        Line($"|---|---|---:|---:|---:|---:|---:|");
        foreach (var (which, scores) in new[] { ("all", result.Forecasts), ("no event", result.WithoutEvents) })
        {
            foreach (var f in scores)
            {
                Line($"| day {f.Day} | {which} | {f.Cases} | {f.OurMape:0.00}% | {f.NaiveMape:0.00}% | {f.MapeRatio:0.00} | {f.BandCoverage * 100:0.0}% |");
            }
        }

        return md.ToString();
    }
}
