using CloudSentinel.Ingestion.Backpressure;

namespace CloudSentinel.Ingestion.Tests;

/// <summary>When ingest pushes back, and the Retry-After it draws from the measured drain rate.</summary>
public sealed class BackpressurePolicyTests
{
    private static readonly DateTime T0 = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);

    private static BackpressurePolicy Policy(long cap = 200_000, int maxRetryAfter = 60) =>
        new(new BackpressureOptions { MaxApplyLagSeconds = 30, MaxBacklogMessages = cap, MaxRetryAfterSeconds = maxRetryAfter }.Validate());

    [Fact]
    public void Within_the_bounds_nothing_is_refused_and_nothing_is_refused_before_the_first_reading()
    {
        var policy = Policy();
        Assert.False(policy.Decide().Refuse);

        policy.Observe(new IngestLogReading(T0, 5_000, 29.5, 100_000));

        Assert.Equal(IngestPressure.None, policy.Decide());
    }

    [Fact]
    public void A_lag_past_the_bound_refuses_until_the_drain_rate_brings_the_backlog_to_half_the_bound()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 22_000, 39, 500_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(2), 20_000, 40, 500_000));

        var pressure = policy.Decide();

        Assert.Equal(1_000, policy.DrainPerSecond);
        Assert.True(pressure.Refuse);
        Assert.Equal(IngestPressure.LagCause, pressure.Cause);
        // 20,000 waiting, 1,000/s drained: down to the 15,000 that drain in half of the 30 s bound after 5 s.
        Assert.Equal(TimeSpan.FromSeconds(5), pressure.RetryAfter);
        Assert.Equal("applying is 40 s behind what was acknowledged, past the bound of 30 s (Backpressure:MaxApplyLagSeconds); 20,000 messages wait, draining at 1000/s", pressure.Reason);
    }

    [Fact]
    public void The_cap_counts_what_arrives_before_the_next_reading()
    {
        var policy = Policy(cap: 2_500);
        policy.Observe(new IngestLogReading(T0, 1_000, 0.2, 10_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 1_900, 0.4, 11_000));

        var pressure = policy.Decide();

        // 1,000 arrived and 100 left in the second: 1,900 now and 2,900 by the next reading, over the cap of 2,500.
        Assert.Equal(1_000, policy.ArrivalPerSecond);
        Assert.Equal(100, policy.DrainPerSecond);
        Assert.True(pressure.Refuse);
        Assert.Equal(IngestPressure.CapCause, pressure.Cause);
        Assert.Equal("the ingest log is at its cap: 1,900 messages wait to be applied (cap 2,500, Backpressure:MaxBacklogMessages)", pressure.Reason);
        // Down to what 100/s drains in 15 s (1,500) takes 4 s.
        Assert.Equal(TimeSpan.FromSeconds(4), pressure.RetryAfter);
    }

    [Fact]
    public void A_backlog_that_takes_longer_than_the_bound_to_drain_refuses_before_the_oldest_message_is_that_old()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 10_000, 5, 100_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 40_000, 6, 131_000));

        var pressure = policy.Decide();

        // 1,000 drained in the second; the 40,000 waiting take 40 s, past the bound of 30 s, though the oldest is 6 s old.
        Assert.True(pressure.Refuse);
        Assert.Equal(IngestPressure.LagCause, pressure.Cause);
        Assert.Equal("applying would fall 40 s behind: 40,000 messages wait and drain at 1000/s, past the bound of 30 s (Backpressure:MaxApplyLagSeconds)", pressure.Reason);
        Assert.Equal(TimeSpan.FromSeconds(25), pressure.RetryAfter);
    }

    [Fact]
    public void A_small_backlog_is_not_refused_on_a_drain_rate_measured_from_a_trickle()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 150, 0.4, 1_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 200, 0.6, 1_051));

        // One message drained in the second, so 200 would take 200 s at that rate; they are below the
        // projection's minimum backlog and the oldest is under a second old: taken.
        Assert.Equal(1, policy.DrainPerSecond, 6);
        Assert.False(policy.Decide().Refuse);

        // The same trickle once the oldest is past the bound: the age rule refuses.
        policy.Observe(new IngestLogReading(T0.AddSeconds(2), 200, 31, 1_052));
        Assert.Equal(IngestPressure.LagCause, policy.Decide().Cause);
    }

    [Fact]
    public void A_backlog_whose_oldest_message_is_seconds_old_is_not_refused_on_a_start_up_rate()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 0, 0, 1_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 1_000, 1.2, 2_001));

        // The silos activate their grains: one message drained, 1,000 would take 1,000 s at that rate, but
        // the oldest has waited 1.2 s. Taken; once it has waited 5 s on the same rate, refused.
        Assert.False(policy.Decide().Refuse);
        policy.Observe(new IngestLogReading(T0.AddSeconds(2), 1_000, 5, 2_002));
        Assert.Equal(IngestPressure.LagCause, policy.Decide().Cause);
    }

    [Fact]
    public void A_log_that_does_not_drain_at_all_gets_the_longest_retry_after()
    {
        var policy = Policy(maxRetryAfter: 20);
        policy.Observe(new IngestLogReading(T0, 400, 50, 1_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 400, 51, 1_000));

        Assert.Equal(TimeSpan.FromSeconds(20), policy.Decide().RetryAfter);
    }

    [Fact]
    public void Later_readings_move_the_rates_by_the_time_that_passed()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 10_000, 1, 100_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 9_000, 1, 100_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(2), 9_000, 1, 100_000));

        // 1,000/s, then a second with nothing drained: 1,000 × e^(-1/5).
        Assert.Equal(1_000 * Math.Exp(-1 / BackpressurePolicy.SmoothingSeconds), policy.DrainPerSecond, precision: 9);
    }

    [Fact]
    public void A_restored_database_whose_sequence_is_behind_starts_the_rates_again()
    {
        var policy = Policy();
        policy.Observe(new IngestLogReading(T0, 10_000, 1, 100_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(1), 9_000, 1, 100_000));
        policy.Observe(new IngestLogReading(T0.AddSeconds(2), 50, 1, 40_000));

        Assert.Equal(0, policy.DrainPerSecond);
        Assert.Equal(50, policy.Last!.Backlog);
    }

    [Theory]
    [InlineData(0.5, 200_000, 30, "Backpressure:MaxApplyLagSeconds must be 1 to 86400")]
    [InlineData(30, 10, 30, "Backpressure:MaxBacklogMessages must be at least 100")]
    [InlineData(30, 200_000, 0, "Backpressure:MaxRetryAfterSeconds must be 1 to 3600")]
    public void Options_out_of_range_are_refused_with_the_key(double lag, long cap, int retry, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new BackpressureOptions { MaxApplyLagSeconds = lag, MaxBacklogMessages = cap, MaxRetryAfterSeconds = retry }.Validate());
        Assert.Equal(message, ex.Message);
    }
}
