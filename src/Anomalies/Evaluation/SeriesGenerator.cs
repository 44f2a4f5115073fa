namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Seeded generator of labelled hourly cost series (docs/anomalies.md, "Quality harness"): daily
/// and weekly seasonality, recurring Monday batches, trend and noise, with injected spikes, level
/// shifts, slow ramps and drops to zero, and small restatements of earlier hours.
/// Each service has its own seeded <see cref="Random"/>, so a service's series depends only on (seed, index).
/// </summary>
public static class SeriesGenerator
{
    public static readonly DateTime Start = new(2024, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime End = new(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>No event starts before this hour, so every detector has ten days of history.</summary>
    public const int FirstEventHour = 240;

    private const int RecoveryHours = 48;
    private const int PermanentShiftLabelHours = 7 * 24;
    private const double RestatementProbability = 0.03;

    public static LabelledSeries Generate(int seed, int service)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + service) & int.MaxValue);
        var hours = UtcHours.HoursBetween(Start, End);
        var profile = Profile.Draw(rng);
        var values = new double[hours];
        for (var h = 0; h < hours; h++) values[h] = profile.Value(Start.AddHours(h), h, rng);

        var events = profile.Tiny ? [] : InjectEvents(rng, values);
        var initial = new decimal[hours];
        var final = new decimal[hours];
        var restatements = new List<Restatement>();
        for (var h = 0; h < hours; h++)
        {
            initial[h] = final[h] = Math.Round((decimal)values[h], 4);
            if (rng.NextDouble() >= RestatementProbability) continue;
            final[h] = Math.Round(initial[h] * (decimal)(1 + Uniform(rng, -0.05, 0.05)), 4);
            var landsAt = Math.Min(hours - 1, h + rng.Next(1, 49));
            restatements.Add(new Restatement(landsAt, h, final[h]));
        }

        restatements.Sort((a, b) => a.LandsAt.CompareTo(b.LandsAt));
        return new LabelledSeries(service, Start, initial, final, restatements, events);
    }

    private static List<InjectedEvent> InjectEvents(Random rng, double[] values)
    {
        var events = new List<InjectedEvent>();
        var next = FirstEventHour + rng.Next(0, 240);
        for (var count = rng.Next(0, 5); count > 0 && next < values.Length - 72; count--)
        {
            var injected = Inject((AnomalyKind)rng.Next(0, 4), next, rng, values);
            events.Add(injected);
            next = injected.IgnoreUntil + rng.Next(72, 480);
        }

        return events;
    }

    private static InjectedEvent Inject(AnomalyKind kind, int onset, Random rng, double[] values)
    {
        var last = values.Length;
        switch (kind)
        {
            case AnomalyKind.Spike:
                values[onset] *= 1 + Uniform(rng, 0.3, 3.0);
                return new InjectedEvent(kind, onset, 1, onset + 1);
            case AnomalyKind.LevelShift:
            {
                var factor = rng.NextDouble() < 0.7 ? 1 + Uniform(rng, 0.3, 1.5) : Uniform(rng, 0.3, 0.7);
                var permanent = rng.NextDouble() < 0.3;
                var duration = permanent ? last - onset : rng.Next(24, 121);
                for (var h = onset; h < onset + duration; h++) values[h] *= factor;
                var labelled = permanent ? PermanentShiftLabelHours : duration;
                return new InjectedEvent(kind, onset, Math.Min(24, labelled), Math.Min(last, onset + labelled + RecoveryHours));
            }
            case AnomalyKind.SlowRamp:
            {
                var ramp = rng.Next(24, 97);
                var peak = Uniform(rng, 0.5, 2.0);
                var duration = Math.Min(last - onset, ramp + 24);
                for (var h = 0; h < duration; h++) values[onset + h] *= 1 + peak * Math.Min(1.0, (h + 1.0) / ramp);
                return new InjectedEvent(kind, onset, duration, Math.Min(last, onset + duration + RecoveryHours));
            }
            default:
            {
                var duration = Math.Min(last - onset, rng.Next(3, 49));
                for (var h = onset; h < onset + duration; h++) values[h] = 0;
                return new InjectedEvent(kind, onset, Math.Min(24, duration), Math.Min(last, onset + duration + RecoveryHours));
            }
        }
    }

    internal static double Uniform(Random rng, double from, double to) => from + (to - from) * rng.NextDouble();

    /// <summary>The normal behaviour of one service.</summary>
    private sealed record Profile(
        bool Tiny,
        double Base,
        double DailyAmplitude,
        int PeakHour,
        double WeekendFactor,
        double MondayBatch,
        double GrowthPerMonth,
        double Noise)
    {
        public static Profile Draw(Random rng)
        {
            var tiny = rng.NextDouble() < 0.1;
            var reserved = rng.NextDouble() < 0.15;
            return new Profile(
                tiny,
                tiny ? Uniform(rng, 0.005, 0.08) : Math.Exp(Uniform(rng, Math.Log(0.3), Math.Log(300))),
                reserved || rng.NextDouble() < 0.2 ? 0 : Uniform(rng, 0.1, 0.8),
                rng.Next(0, 24),
                rng.NextDouble() < 0.5 ? Uniform(rng, 0.5, 0.9) : 1,
                rng.NextDouble() < 0.2 ? Uniform(rng, 0.5, 2.0) : 0,
                Uniform(rng, -0.15, 0.35),
                reserved ? 0.005 : Uniform(rng, 0.02, 0.10));
        }

        public double Value(DateTime hour, int index, Random rng)
        {
            // A business-day bump: zero at night, peaking at PeakHour, 12 hours wide.
            var fromPeak = ((hour.Hour - PeakHour + 36) % 24) - 12;
            var daily = 1 + DailyAmplitude * Math.Max(0, Math.Cos(Math.PI * fromPeak / 12.0));
            var weekend = hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? WeekendFactor : 1;
            var trend = 1 + GrowthPerMonth * index / 720.0;
            var noise = 1 + Noise * Gaussian(rng);
            var batch = hour.DayOfWeek == DayOfWeek.Monday && hour.Hour is >= 6 and <= 8 ? MondayBatch : 0;
            return Math.Max(0, Base * (daily * weekend * trend * noise + batch));
        }

        private static double Gaussian(Random rng) =>
            Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    }
}
