using CloudSentinel.Anomalies.Evaluation;

namespace CloudSentinel.Anomalies.Tests;

public sealed class QualityHarnessTests
{
    [Fact]
    public void Our_detector_meets_the_issue_targets_on_generated_series()
    {
        var result = QualityEvaluator.Run(seed: 7, services: 100);
        var ours = result.Detection.Single(d => d.Detector == QualityEvaluator.Ours);
        var naive = result.Detection.Single(d => d.Detector == QualityEvaluator.Naive);

        Assert.True(ours.Events > 150, $"only {ours.Events} events were injected");
        Assert.True(ours.Precision >= 0.9, $"precision ours {ours.Precision:0.000} ({ours.FalsePositives} false-positive hours)");
        Assert.True(ours.F1 >= naive.F1 + 0.2, $"F1 ours {ours.F1:0.000}, naive {naive.F1:0.000}");
    }

    [Fact]
    public void Generator_is_deterministic_for_a_seed()
    {
        var a = SeriesGenerator.Generate(3, 11);
        var b = SeriesGenerator.Generate(3, 11);

        Assert.Equal(a.Initial, b.Initial);
        Assert.Equal(a.Final, b.Final);
        Assert.Equal(a.Events, b.Events);
        Assert.Equal(a.Restatements, b.Restatements);
    }

    [Fact]
    public void Report_is_a_markdown_table_with_every_detector()
    {
        var report = QualityReport.RunQualityReport(seed: 1, services: 3);

        Assert.Contains("| detector | precision | recall | F1 |", report);
        Assert.Contains(QualityEvaluator.Ours, report);
        Assert.Contains(QualityEvaluator.Naive, report);
        Assert.Contains("| day 10 |", report);
        Assert.Contains("| day 20 |", report);
    }
}
