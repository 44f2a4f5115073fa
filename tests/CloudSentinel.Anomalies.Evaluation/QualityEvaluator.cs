using CloudSentinel.Core;

namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Judges every hour of generated series with our detector and with the naive rule, and scores the
/// verdicts against the labels; forecasts month totals at days 3, 6, 10 and 20 and scores them against
/// the naive run rate. Verdicts are those of the final data: the detector is a pure function of the
/// series and the grain re-judges an hour when its baseline changes, so that is what
/// <c>cost_anomalies</c> holds once the data has landed, whatever the order it landed in.
/// </summary>
public static class QualityEvaluator
{
    public const string Ours = "seasonal robust (ours)";
    public const string Naive = "naive: 7-day z > 3";
    public const string NaiveWithFloor = "naive + USD 0.10 floor";

    /// <summary>A month whose actual total is below this is left out of MAPE: a percent of nearly nothing is noise.</summary>
    public const decimal MinimumMonthUsd = 1m;

    public static readonly int[] ForecastDays = [3, 6, 10, 20];

    public static QualityResult Run(int seed, SeriesScenario scenario, int? services = null, AnomalyOptions? options = null)
    {
        var detector = new AnomalyDetector(options);
        var count = services ?? scenario.Services;
        var outcomes = new (DetectionCounts[] Counts, int Restatements)[count];
        Parallel.For(0, count, i => outcomes[i] = Judge(SeriesGenerator.Generate(seed, i, scenario), detector));

        string[] names = [Ours, Naive, NaiveWithFloor];
        var detection = names.Select((name, d) =>
        {
            var total = new DetectionCounts();
            foreach (var outcome in outcomes) total.Add(outcome.Counts[d]);
            return total.ToScore(name);
        }).ToList();
        return new QualityResult(seed, scenario, count, outcomes.Sum(o => o.Restatements), detection);
    }

    /// <summary>The flags of our detector on every hour of <paramref name="labelled"/>'s final data.</summary>
    public static bool[] Flags(LabelledSeries labelled, AnomalyDetector detector)
    {
        var series = new LabelledSeriesView(labelled);
        var flags = new bool[labelled.Final.Length];
        for (var h = labelled.FirstHour; h < flags.Length; h++) flags[h] = detector.Evaluate(series, series.HourOf(h)).IsAnomaly;
        return flags;
    }

    private static (DetectionCounts[], int) Judge(LabelledSeries labelled, AnomalyDetector detector)
    {
        var series = new LabelledSeriesView(labelled);
        var hours = labelled.Final.Length;
        var naive = new bool[hours];
        var naiveWithFloor = new bool[hours];
        var floor = (double)detector.Options.MinimumHourlyCostUsd;
        for (var h = labelled.FirstHour; h < hours; h++)
        {
            var at = series.HourOf(h);
            if (NaiveDetector.Evaluate(series, at) is not { } n || Math.Abs(n.Z) <= NaiveDetector.Threshold) continue;
            naive[h] = true;
            naiveWithFloor[h] = Math.Abs((double)series.CostAt(at)) >= floor || Math.Abs(n.Mean) >= floor;
        }

        DetectionCounts[] counts = [Scoring.Score(labelled, Flags(labelled, detector)), Scoring.Score(labelled, naive), Scoring.Score(labelled, naiveWithFloor)];
        return (counts, labelled.Restatements.Count);
    }

    /// <summary>Month-end forecasts of the months scenario, as of the end of each of <see cref="ForecastDays"/>, scored against the actual month totals.</summary>
    public static ForecastResult RunForecasts(int seed, int services, AnomalyOptions? options = null)
    {
        var forecaster = new MonthForecaster(options);
        var cases = new List<ForecastCase>[services];
        Parallel.For(0, services, i => cases[i] = Forecasts(SeriesGenerator.Generate(seed, i, SeriesScenario.Months), forecaster));
        var all = cases.SelectMany(c => c).ToList();
        List<ForecastScore> Score(Func<ForecastCase, bool> which) =>
            ForecastDays.Select(day => ScoreForecasts(day, all.Where(c => c.Day == day && which(c)).ToList())).ToList();
        return new ForecastResult(seed, services, Score(_ => true), Score(c => !c.Event));
    }

    /// <summary>
    /// Months scored: from the second on, so that every forecast has a month of history (a service's
    /// first weeks are the warm-up's business, not the forecast's).
    /// </summary>
    public static DateTime FirstForecastMonth(LabelledSeries labelled) => UtcHours.MonthStart(labelled.Start).AddMonths(1);

    private static List<ForecastCase> Forecasts(LabelledSeries labelled, MonthForecaster forecaster)
    {
        var series = new LabelledSeriesView(labelled);
        var end = labelled.Start.AddHours(labelled.Final.Length);
        var cases = new List<ForecastCase>();
        for (var month = FirstForecastMonth(labelled); month.AddMonths(1) <= end; month = month.AddMonths(1))
        {
            var from = UtcHours.HoursBetween(labelled.Start, month);
            var to = UtcHours.HoursBetween(labelled.Start, month.AddMonths(1));
            var actual = labelled.Final[from..to].Sum();
            // An event inside the month, or whose aftermath reaches into it, makes the total unforecastable from before it.
            var touched = labelled.Events.Any(e => e.Onset < to && e.IgnoreUntil > from);
            foreach (var day in ForecastDays)
            {
                var asOf = month.AddDays(day).AddHours(-1);
                var ours = forecaster.Forecast(series, asOf);
                var naive = ours.MonthToDateUsd * DateTime.DaysInMonth(month.Year, month.Month) / day;
                cases.Add(new ForecastCase(day, actual, ours.ForecastUsd, naive, ours.LowerUsd, ours.UpperUsd, touched));
            }
        }

        return cases;
    }

    private static ForecastScore ScoreForecasts(int day, List<ForecastCase> cases)
    {
        var scored = cases.Where(c => c.Actual >= MinimumMonthUsd).ToList();
        if (scored.Count == 0) return new ForecastScore(day, 0, 0, 0, 0);
        double Ape(decimal forecast, decimal actual) => (double)(Math.Abs(forecast - actual) / actual) * 100;
        return new ForecastScore(
            day,
            scored.Count,
            scored.Average(c => Ape(c.Ours, c.Actual)),
            scored.Average(c => Ape(c.Naive, c.Actual)),
            scored.Count(c => c.Lower <= c.Actual && c.Actual <= c.Upper) / (double)scored.Count);
    }

    private sealed record ForecastCase(int Day, decimal Actual, decimal Ours, decimal Naive, decimal Lower, decimal Upper, bool Event);
}
