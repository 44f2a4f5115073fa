using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Tests;

/// <summary>The console's forecast row follows a moving forecast within seconds, and a steady one once a minute.</summary>
public sealed class ForecastWritesTests
{
    private static readonly DateTime T0 = new(2026, 12, 7, 1, 8, 44, DateTimeKind.Utc);
    private static readonly DateTime December = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_first_forecast_is_written_at_once_and_a_steady_one_again_after_a_minute()
    {
        var writes = new ForecastWrites();
        Assert.True(writes.Due(T0, December, 1_185.79m));
        writes.Written(T0, December, 1_185.79m);

        Assert.False(writes.Due(T0.AddSeconds(30), December, 1_190m));
        Assert.False(writes.Due(T0.AddSeconds(59), December, 1_190m));
        Assert.True(writes.Due(T0.AddSeconds(60), December, 1_190m));
    }

    [Fact]
    public void A_forecast_that_moved_by_more_than_one_percent_is_written_within_five_seconds()
    {
        var writes = new ForecastWrites();
        writes.Written(T0, December, 1_185.79m);

        // A backfill brought the rest of the month: $1,185.79 becomes $19,702.48.
        Assert.False(writes.Due(T0.AddSeconds(4), December, 19_702.48m));
        Assert.True(writes.Due(T0.AddSeconds(5), December, 19_702.48m));
        // 1 % is the line: $11.85 more does not write before the minute, $11.87 does.
        Assert.False(writes.Due(T0.AddSeconds(5), December, 1_197.64m));
        Assert.True(writes.Due(T0.AddSeconds(5), December, 1_197.66m));
        Assert.True(writes.Due(T0.AddSeconds(5), December, 1_000m));
    }

    [Fact]
    public void A_move_seen_too_soon_stays_pending_until_it_may_be_written()
    {
        var writes = new ForecastWrites();
        writes.Written(T0, December, 629m);
        Assert.False(writes.Pending(T0.AddSeconds(10)));

        // The backfill lands 2 s after the write: too soon, and no snapshot may follow for a minute.
        Assert.False(writes.Due(T0.AddSeconds(2), December, 1_779m));
        Assert.False(writes.Pending(T0.AddSeconds(4)));
        Assert.True(writes.Pending(T0.AddSeconds(5)));
        Assert.True(writes.Due(T0.AddSeconds(5), December, 1_779m));
        writes.Written(T0.AddSeconds(5), December, 1_779m);
        Assert.False(writes.Pending(T0.AddSeconds(30)));
    }

    [Fact]
    public void A_new_month_or_a_new_budget_writes_without_waiting_for_the_minute()
    {
        var writes = new ForecastWrites();
        writes.Written(T0, December, 500m);
        Assert.True(writes.Due(T0.AddSeconds(5), December.AddMonths(1), 500m));

        writes.Written(T0, December, 500m);
        writes.Invalidate();
        Assert.True(writes.Due(T0.AddSeconds(1), December, 500m));
    }
}
