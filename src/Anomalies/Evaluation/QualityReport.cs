using System.Globalization;
using System.Text;

namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>Formats a <see cref="QualityResult"/> as the Markdown that BENCHMARKS.md quotes.</summary>
public static class QualityReport
{
    public static string RunQualityReport(int seed, int services) => Format(QualityEvaluator.Run(seed, services));

    public static string Format(QualityResult result)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"Seed {result.Seed}, {result.Services} services × {result.Hours} hours ({SeriesGenerator.Start:yyyy-MM-dd} to {SeriesGenerator.End:yyyy-MM-dd}), {result.Restatements} restatements, {result.Detection[0].Events} injected anomalies.");
        md.AppendLine();
        Line($"| detector | precision | recall | F1 | detected / events | false-positive hours | mean delay (h) | median delay (h) |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var d in result.Detection)
        {
            Line($"| {d.Detector} | {d.Precision:0.000} | {d.Recall:0.000} | {d.F1:0.000} | {d.Detected} / {d.Events} | {d.FalsePositives} | {d.MeanDelayHours:0.0} | {d.MedianDelayHours} |");
        }

        md.AppendLine();
        Line($"| recall by kind | {string.Join(" | ", result.Detection.Select(d => d.Detector))} |");
        Line($"|---|{string.Concat(result.Detection.Select(_ => "---:|"))}");
        foreach (var kind in Enum.GetValues<AnomalyKind>())
        {
            var cells = result.Detection.Select(d => d.ByKind[kind]).Select(c => FormattableString.Invariant($"{c.Detected} / {c.Events}"));
            Line($"| {kind} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
        Line($"| month-end forecast | cases | MAPE ours | MAPE naive (MTD × days / elapsed) | actual inside our 95% band |");
        Line($"|---|---:|---:|---:|---:|");
        foreach (var f in result.Forecasts)
        {
            Line($"| day {f.Day} | {f.Cases} | {f.OurMape:0.00}% | {f.NaiveMape:0.00}% | {f.BandCoverage:P0} |");
        }

        return md.ToString();
    }
}
