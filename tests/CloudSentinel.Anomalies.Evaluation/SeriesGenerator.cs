namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Seeded generator of labelled hourly cost series (docs/anomalies.md, "Quality harness"): the shapes
/// issue 19 says must not alarm (weekday/weekend patterns, steady growth, heavy multiplicative noise,
/// tiny costs, a nightly batch, rare benign bumps, services that start mid-window) and the anomalies
/// it says must be found (<see cref="AnomalyKind"/>), with small restatements of earlier hours.
/// Each service has its own seeded <see cref="Random"/>, so a series depends only on (seed, scenario, index).
/// </summary>
public static class SeriesGenerator
{
    /// <summary>No event starts before this hour in the months scenario, so every detector has ten days of history.</summary>
    public const int FirstEventHour = 240;

    private const int RecoveryHours = 48;
    private const int WeekHours = 168;
    private const double RestatementProbability = 0.03;

    /// <summary>Service <paramref name="service"/> of the <see cref="SeriesScenario.Paging"/> scenario (issue 19's test).</summary>
    public static LabelledSeries Generate(int seed, int service) => Generate(seed, service, SeriesScenario.Paging);

    public static LabelledSeries Generate(int seed, int service, SeriesScenario scenario)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + service * 7919 + scenario.Name.Length) & int.MaxValue);
        var hours = scenario.Hours;
        var role = RoleOf(scenario, service, rng);
        var profile = Profile.Draw(rng, role == Role.Tiny);
        var firstHour = role == Role.New ? rng.Next(3 * 24, 20 * 24) : 0;
        var values = new double[hours];
        profile.Fill(scenario.Start, values, rng);
        for (var h = 0; h < firstHour; h++) values[h] = 0;

        var events = role switch
        {
            Role.Event when scenario.OneEventInTheLastDays => [InjectInTheLastDays(EventKindOf(service), rng, values)],
            Role.Event => InjectEvents(rng, values),
            _ => [],
        };

        var initial = new decimal[hours];
        var final = new decimal[hours];
        var restatements = new List<Restatement>();
        for (var h = firstHour; h < hours; h++)
        {
            initial[h] = final[h] = Math.Round((decimal)values[h], 4);
            if (rng.NextDouble() >= RestatementProbability) continue;
            final[h] = Math.Round(initial[h] * (decimal)(1 + Uniform(rng, -0.05, 0.05)), 4);
            var landsAt = Math.Min(hours - 1, h + rng.Next(1, 49));
            restatements.Add(new Restatement(landsAt, h, final[h]));
        }

        restatements.Sort((a, b) => a.LandsAt.CompareTo(b.LandsAt));
        return new LabelledSeries(service, scenario.Start, initial, final, restatements, events, firstHour);
    }

    private enum Role
    {
        Event,
        Tiny,
        New,
        Plain,
    }

    /// <summary>
    /// Paging: of every 8 services, 5 carry one event, 1 is tiny, 1 starts mid-window and 1 is plain,
    /// so 160 services give the 100 events (20 of each kind), 20 tiny and 20 new services.
    /// Months: 10% tiny, the rest carry 0–4 events.
    /// </summary>
    private static Role RoleOf(SeriesScenario scenario, int service, Random rng)
    {
        if (!scenario.OneEventInTheLastDays) return rng.NextDouble() < 0.1 ? Role.Tiny : Role.Event;
        return (service % 8) switch
        {
            < 5 => Role.Event,
            5 => Role.Tiny,
            6 => Role.New,
            _ => Role.Plain,
        };
    }

    /// <summary>The n-th event-carrying service of the paging scenario gets kind n mod 5, so the kinds come in equal numbers.</summary>
    private static AnomalyKind EventKindOf(int service) => (AnomalyKind)((service / 8 * 5 + service % 8) % 5);

    private static InjectedEvent InjectInTheLastDays(AnomalyKind kind, Random rng, double[] values)
    {
        var last = values.Length;
        var rampHours = 24 * rng.Next(3, 8);
        var needs = kind switch
        {
            AnomalyKind.Spike => 1,
            AnomalyKind.LevelShift => 24,
            AnomalyKind.SlowRamp => rampHours + 24,
            AnomalyKind.DropToZero => 12,
            _ => 6,
        };
        var onset = rng.Next(last - 24 * SeriesScenario.EventDays, last - needs + 1);
        return Inject(kind, onset, rng, values, permanent: true, rampHours);
    }

    private static List<InjectedEvent> InjectEvents(Random rng, double[] values)
    {
        var events = new List<InjectedEvent>();
        var next = FirstEventHour + rng.Next(0, 240);
        for (var count = rng.Next(0, 5); count > 0 && next < values.Length - 10 * 24; count--)
        {
            var injected = Inject((AnomalyKind)rng.Next(0, 5), next, rng, values, permanent: rng.NextDouble() < 0.3, 24 * rng.Next(3, 8));
            events.Add(injected);
            next = injected.IgnoreUntil + rng.Next(72, 480);
        }

        return events;
    }

    /// <summary>
    /// Applies one event at <paramref name="onset"/>. A shift or ramp that does not end (permanent) keeps
    /// the week after it out of the false positives as well: for that week, "more than a week ago" is
    /// still the old level, and a rule that compares with last week rightly says so.
    /// </summary>
    private static InjectedEvent Inject(AnomalyKind kind, int onset, Random rng, double[] values, bool permanent, int rampHours)
    {
        var last = values.Length;
        int Until(int hour) => Math.Min(last, hour);
        switch (kind)
        {
            case AnomalyKind.Spike:
                values[onset] *= Uniform(rng, 2.5, 6.0);
                return new InjectedEvent(kind, onset, 1, onset + 1);
            case AnomalyKind.LevelShift:
            {
                var factor = Uniform(rng, 1.7, 2.5);
                var duration = permanent ? last - onset : rng.Next(24, 121);
                for (var h = onset; h < onset + duration; h++) values[h] *= factor;
                var ignore = permanent ? WeekHours + RecoveryHours : duration + RecoveryHours;
                return new InjectedEvent(kind, onset, Math.Min(24, duration), Until(onset + ignore));
            }
            case AnomalyKind.SlowRamp:
            {
                var peak = Uniform(rng, 1.5, 2.5);
                var hold = permanent ? last - onset - rampHours : rng.Next(24, 73);
                var duration = Math.Min(last - onset, rampHours + hold);
                for (var h = 0; h < duration; h++) values[onset + h] *= 1 + (peak - 1) * Math.Min(1.0, (h + 1.0) / rampHours);
                var ignore = permanent ? rampHours + WeekHours + RecoveryHours : duration + RecoveryHours;
                return new InjectedEvent(kind, onset, duration, Until(onset + ignore));
            }
            case AnomalyKind.DropToZero:
            {
                var duration = Math.Min(last - onset, 12);
                for (var h = onset; h < onset + duration; h++) values[h] = 0;
                return new InjectedEvent(kind, onset, duration, Until(onset + duration + RecoveryHours));
            }
            default:
            {
                var duration = Math.Min(last - onset, 6);
                for (var h = onset; h < onset + duration; h++) values[h] *= 0.3;
                return new InjectedEvent(kind, onset, duration, Until(onset + duration + RecoveryHours));
            }
        }
    }

    internal static double Uniform(Random rng, double from, double to) => from + (to - from) * rng.NextDouble();

    /// <summary>The normal behaviour of one service: every shape here is one that must not alarm.</summary>
    private sealed record Profile(
        double Base,
        double DailyAmplitude,
        int PeakHour,
        double WeekendFactor,
        double GrowthPerDay,
        double Noise,
        int? BatchHour,
        double BatchFactor,
        bool Bumps)
    {
        public static Profile Draw(Random rng, bool tiny)
        {
            var noise = rng.NextDouble() switch
            {
                < 0.25 => Uniform(rng, 0.18, 0.22),
                < 0.35 => 0.005,
                _ => Uniform(rng, 0.02, 0.10),
            };
            return new Profile(
                tiny ? Uniform(rng, 0.002, 0.019) : Math.Exp(Uniform(rng, Math.Log(0.3), Math.Log(300))),
                rng.NextDouble() < 0.2 ? 0 : Uniform(rng, 0.1, 0.8),
                rng.Next(0, 24),
                rng.NextDouble() < 0.5 ? Uniform(rng, 0.4, 0.9) : 1,
                rng.NextDouble() < 0.5 ? Uniform(rng, 0.005, 0.012) : Uniform(rng, -0.002, 0.003),
                noise,
                rng.NextDouble() < 0.2 ? rng.Next(0, 6) : null,
                Uniform(rng, 2.5, 4.0),
                rng.NextDouble() < 0.3);
        }

        public void Fill(DateTime start, double[] values, Random rng)
        {
            for (var h = 0; h < values.Length; h++)
            {
                var hour = start.AddHours(h);
                // A business-day bump: zero at night, peaking at PeakHour, 12 hours wide.
                var fromPeak = ((hour.Hour - PeakHour + 36) % 24) - 12;
                var daily = 1 + DailyAmplitude * Math.Max(0, Math.Cos(Math.PI * fromPeak / 12.0));
                var weekend = hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? WeekendFactor : 1;
                var growth = Math.Pow(1 + GrowthPerDay, h / 24.0);
                var batch = hour.Hour == BatchHour ? BatchFactor : 1;
                var noise = 1 + Noise * Gaussian(rng);
                values[h] = Math.Max(0, Base * daily * weekend * growth * batch * noise);
            }

            // Rare benign bumps: about one every 20 days, 2–6 hours at 1.15–1.35×.
            if (!Bumps) return;
            for (var day = 0; day < values.Length / 24; day++)
            {
                if (rng.NextDouble() >= 0.05) continue;
                var from = 24 * day + rng.Next(0, 24);
                var factor = Uniform(rng, 1.15, 1.35);
                var until = Math.Min(values.Length, from + rng.Next(2, 7));
                for (var h = from; h < until; h++) values[h] *= factor;
            }
        }

        private static double Gaussian(Random rng) =>
            Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    }
}
