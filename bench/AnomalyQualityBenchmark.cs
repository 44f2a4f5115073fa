using System.Diagnostics;
using System.Text;
using CloudSentinel.Anomalies;
using CloudSentinel.Anomalies.Evaluation;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 19: detector and forecast quality on the harness (tests/CloudSentinel.Anomalies.Evaluation runs the same
/// detector class the grains use), against the naive rule on the same series, and what one
/// evaluation costs.
/// </summary>
public static class AnomalyQualityBenchmark
{
    private const int Seed = 42;
    private static readonly int[] OtherSeeds = [7, 1, 3, 11, 100];

    public static string Run()
    {
        Console.WriteLine($"anomaly quality: paging scenario, seed {Seed}");
        var clock = Stopwatch.StartNew();
        var paging = QualityEvaluator.Run(Seed, SeriesScenario.Paging);
        var pagingSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine("anomaly quality: months scenario");
        var months = QualityEvaluator.Run(Seed, SeriesScenario.Months);
        Console.WriteLine("anomaly quality: forecasts");
        var forecasts = QualityEvaluator.RunForecasts(Seed, SeriesScenario.Months.Services);
        Console.WriteLine("anomaly quality: other seeds");
        var seeds = OtherSeeds.Select(s => (Seed: s, Result: QualityEvaluator.Run(s, SeriesScenario.Paging))).ToList();
        var (oursMicroseconds, naiveMicroseconds) = EvaluationMicroseconds();

        var report = new StringBuilder()
            .AppendLine("## Anomaly and forecast quality (issue 19)")
            .AppendLine()
            .AppendLine($"Machine: {BenchEnvironment.Machine}; 1-minute load average {BenchEnvironment.LoadAverage()} at the end. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- anomaly-quality`.")
            .AppendLine("Verdicts are those of the final data (the detector is a pure function of the series, docs/anomalies.md \"Quality harness\"); the naive rule runs on the same series.")
            .AppendLine()
            .AppendLine("### Paging scenario: the issue's test (160 services, 35 days, 100 labelled events in the last 12 days)")
            .AppendLine()
            .AppendLine(QualityReport.Format(paging).Trim())
            .AppendLine()
            .AppendLine("Other seeds, same scenario:")
            .AppendLine()
            .AppendLine("| seed | precision | recall | F1 | false-positive hours | per service-month | lowest recall of a kind | naive F1 |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (seed, result) in seeds)
        {
            var ours = result.Detection[0];
            var lowest = ours.ByKind.MinBy(k => k.Value.Recall);
            report.AppendLine(FormattableString.Invariant($"| {seed} | {ours.Precision:0.000} | {ours.Recall:0.000} | {ours.F1:0.000} | {ours.FalsePositives} | {ours.FalsePositivesPerServiceMonth:0.00} | {lowest.Value.Recall:0.00} ({lowest.Key}) | {result.Detection[1].F1:0.000} |"));
        }

        return report
            .AppendLine()
            .AppendLine("### Months scenario: four months, 0–4 events per service that come and go")
            .AppendLine()
            .AppendLine(QualityReport.Format(months).Trim())
            .AppendLine()
            .AppendLine("### Month-end forecasts")
            .AppendLine()
            .AppendLine(QualityReport.Format(forecasts).Trim())
            .AppendLine()
            .AppendLine(FormattableString.Invariant($"Cost: {oursMicroseconds:0.0} µs per `AnomalyDetector.Evaluate`, {oursMicroseconds / naiveMicroseconds:0.0}× the naive rule's {naiveMicroseconds:0.0} µs in the same run (mean over every hour of 20 paging-scenario services, one thread); the paging scenario's 160 services took {pagingSeconds:0.0} s on two threads, both detectors."))
            .ToString();
    }

    /// <summary>Mean µs per evaluation of our detector and, as the same-run baseline, of the naive rule, over every hour of 20 paging-scenario series.</summary>
    private static (double Ours, double Naive) EvaluationMicroseconds()
    {
        var detector = new AnomalyDetector();
        var series = Enumerable.Range(0, 20).Select(i => new LabelledSeriesView(SeriesGenerator.Generate(Seed, i))).ToList();
        double Time(Func<LabelledSeriesView, DateTime, bool> judge)
        {
            var clock = Stopwatch.StartNew();
            long evaluations = 0;
            foreach (var s in series)
            {
                for (var h = 0; h < SeriesScenario.Paging.Hours; h++, evaluations++) judge(s, s.HourOf(h));
            }

            return clock.Elapsed.TotalMicroseconds / evaluations;
        }

        Time((s, h) => detector.Evaluate(s, h).IsAnomaly);
        return (Time((s, h) => detector.Evaluate(s, h).IsAnomaly), Time((s, h) => NaiveDetector.Evaluate(s, h) is { } n && Math.Abs(n.Z) > NaiveDetector.Threshold));
    }
}
