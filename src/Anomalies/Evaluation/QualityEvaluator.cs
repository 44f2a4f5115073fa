namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Replays generated series hour by hour as a service grain would see them: at each clock hour the
/// new hour lands together with any restatements due, every restated hour is evaluated again and the
/// new hour is evaluated. Scores our detector and the naive rule on the final verdicts, and the
/// month-end forecasts at day 10 and day 20 of each month.
/// </summary>
public static class QualityEvaluator
{
    public const string Ours = "seasonal robust (ours)";
    public const string Naive = "naive: 7-day z > 3";
    public const string NaiveWithFloor = "naive + USD 0.10 floor";

    /// <summary>A month whose actual total is below this is left out of MAPE: a percent of nearly nothing is noise.</summary>
    public const decimal MinimumMonthUsd = 1m;

    private static readonly int[] ForecastDays = [10, 20];

    public static QualityResult Run(int seed, int services, AnomalyOptions? options = null)
    {
        var detector = new AnomalyDetector(options);
        var forecaster = new MonthForecaster(options);
        var outcomes = new ServiceOutcome[services];
        Parallel.For(0, services, i => outcomes[i] = Replay(SeriesGenerator.Generate(seed, i), detector, forecaster));

        string[] names = [Ours, Naive, NaiveWithFloor];
        var detection = names.Select((name, d) =>
        {
            var total = new DetectionCounts();
            foreach (var outcome in outcomes) total.Add(outcome.Counts[d]);
            return total.ToScore(name);
        }).ToList();

        var forecasts = ForecastDays.Select(day => ScoreForecasts(day, outcomes.SelectMany(o => o.Forecasts).Where(f => f.Day == day).ToList())).ToList();
        var hours = UtcHours.HoursBetween(SeriesGenerator.Start, SeriesGenerator.End);
        return new QualityResult(seed, services, hours, outcomes.Sum(o => o.Restatements), detection, forecasts);
    }

    private static ServiceOutcome Replay(LabelledSeries labelled, AnomalyDetector detector, MonthForecaster forecaster)
    {
        var hours = labelled.Initial.Length;
        var series = new ReplaySeries(labelled.Start, hours);
        FlagTrack[] tracks = [new(hours), new(hours), new(hours)];
        var forecasts = new List<ForecastCase>();
        var restated = new List<int>();
        var next = 0;

        void Evaluate(int hour, int clock)
        {
            var at = series.HourOf(hour);
            tracks[0].Record(hour, detector.Evaluate(series, at).IsAnomaly, clock);
            var naive = NaiveDetector.Evaluate(series, at);
            var flagged = naive is { } n && Math.Abs(n.Z) > NaiveDetector.Threshold;
            var floor = (double)detector.Options.MinimumHourlyCostUsd;
            var belowFloor = naive is { } m && Math.Abs((double)series.CostAt(at)) < floor && Math.Abs(m.Mean) < floor;
            tracks[1].Record(hour, flagged, clock);
            tracks[2].Record(hour, flagged && !belowFloor, clock);
        }

        for (var clock = 0; clock < hours; clock++)
        {
            series.Set(clock, labelled.Initial[clock]);
            restated.Clear();
            for (; next < labelled.Restatements.Count && labelled.Restatements[next].LandsAt == clock; next++)
            {
                series.Set(labelled.Restatements[next].Hour, labelled.Restatements[next].Usd);
                restated.Add(labelled.Restatements[next].Hour);
            }

            foreach (var hour in restated) Evaluate(hour, clock);
            Evaluate(clock, clock);

            var nextHour = series.HourOf(clock + 1);
            var day = nextHour.Day - 1;
            if (nextHour.Hour == 0 && ForecastDays.Contains(day)) forecasts.Add(Forecast(labelled, series, forecaster, clock, day));
        }

        return new ServiceOutcome([.. tracks.Select(t => t.Score(labelled.Events))], forecasts, labelled.Restatements.Count);
    }

    private static ForecastCase Forecast(LabelledSeries labelled, ReplaySeries series, MonthForecaster forecaster, int clock, int day)
    {
        var asOf = series.HourOf(clock);
        var month = UtcHours.MonthStart(asOf);
        var from = UtcHours.HoursBetween(labelled.Start, month);
        var to = Math.Min(labelled.Final.Length, UtcHours.HoursBetween(labelled.Start, month.AddMonths(1)));
        var actual = labelled.Final[from..to].Sum();
        var ours = forecaster.Forecast(series, asOf);
        var naive = ours.MonthToDateUsd * DateTime.DaysInMonth(month.Year, month.Month) / day;
        return new ForecastCase(day, actual, ours.ForecastUsd, naive, ours.LowerUsd, ours.UpperUsd);
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

    private sealed record ForecastCase(int Day, decimal Actual, decimal Ours, decimal Naive, decimal Lower, decimal Upper);

    private sealed record ServiceOutcome(DetectionCounts[] Counts, List<ForecastCase> Forecasts, int Restatements);
}
