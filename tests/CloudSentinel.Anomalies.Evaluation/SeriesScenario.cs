namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// What a generated set of series looks like: its span, how many services, and where events go.
/// <see cref="Paging"/> is issue 19's test as a new user would run it; <see cref="Months"/> spans
/// whole months for the forecasts and for events that come and go.
/// </summary>
public sealed record SeriesScenario(string Name, DateTime Start, int Days, int Services, bool OneEventInTheLastDays)
{
    /// <summary>Issue 19: 160 services over 35 days, 100 of them with one labelled event in the last 12 days, 20 tiny, 20 new.</summary>
    public static SeriesScenario Paging { get; } = new("paging", new DateTime(2025, 1, 6, 0, 0, 0, DateTimeKind.Utc), 35, 160, true);

    /// <summary>Four calendar months (2024-12-01 to 2025-04-01), 0–4 events per service from day 10, none new.</summary>
    public static SeriesScenario Months { get; } = new("months", new DateTime(2024, 12, 1, 0, 0, 0, DateTimeKind.Utc), 121, 300, false);

    /// <summary>Hours the paging scenario's events start in: the last 12 days.</summary>
    public const int EventDays = 12;

    public int Hours => Days * 24;

    public DateTime End => Start.AddDays(Days);
}
