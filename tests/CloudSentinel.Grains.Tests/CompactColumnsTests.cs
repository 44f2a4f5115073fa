using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Tests;

/// <summary>The fixed-point and sequence columns of a service's buckets: narrow while values allow, exact always.</summary>
public sealed class CompactColumnsTests
{
    [Fact]
    public void Cents_fit_two_bytes_and_read_back_equal()
    {
        var column = new FixedPointColumn(4);
        column.Set(0, 1.25m);
        column.Set(1, -3.5m);
        column.Set(2, 327.67m);

        Assert.Equal(2, column.BytesPerSlot);
        Assert.Equal(1.25m, column[0]);
        Assert.Equal(-3.5m, column[1]);
        Assert.Equal(327.67m, column[2]);
        Assert.Equal(0m, column[3]);
    }

    [Fact]
    public void More_decimals_rescale_the_column_and_widen_it_only_as_far_as_needed()
    {
        var column = new FixedPointColumn(3);
        column.Set(0, 2m);
        column.Set(1, 0.0000000001m);

        Assert.Equal(8, column.BytesPerSlot);
        Assert.Equal(2m, column[0]);
        Assert.Equal(0.0000000001m, column[1]);

        var narrow = new FixedPointColumn(2);
        narrow.Set(0, 0.001m);
        narrow.Set(1, 40.5m);
        Assert.Equal(4, narrow.BytesPerSlot);
        Assert.Equal(40.5m, narrow[1]);
    }

    [Fact]
    public void Trailing_zeros_do_not_widen_the_scale()
    {
        var column = new FixedPointColumn(1);
        column.Set(0, 1.5000000000m);

        Assert.Equal(2, column.BytesPerSlot);
        Assert.Equal(1.5m, column[0]);
    }

    [Fact]
    public void A_value_no_long_holds_at_the_scale_turns_the_column_into_decimals_and_keeps_the_rest()
    {
        var column = new FixedPointColumn(3);
        column.Set(0, 0.123456789012345678m);
        column.Set(1, 999_999_999_999m);
        column.Set(2, -0.5m);

        Assert.Equal(16, column.BytesPerSlot);
        Assert.Equal(0.123456789012345678m, column[0]);
        Assert.Equal(999_999_999_999m, column[1]);
        Assert.Equal(-0.5m, column[2]);
    }

    [Fact]
    public void Add_keeps_exact_sums_and_moving_and_shifting_keep_slots()
    {
        var column = new FixedPointColumn(2);
        column.Add(1, 0.1m);
        column.Add(1, 0.2m);
        Assert.Equal(0.3m, column[1]);

        var moved = column.Moved(3, 6);
        Assert.Equal(0.3m, moved[4]);
        Assert.Equal(6, moved.Capacity);
        var shifted = moved.Shifted(4, 2);
        Assert.Equal(0.3m, shifted[0]);
        Assert.Equal(2, shifted.Capacity);
    }

    [Fact]
    public void Sequences_share_a_palette_of_bytes_until_255_distinct_ones_are_in_use()
    {
        const int slots = 300;
        var present = new ulong[(slots + 63) / 64];
        var column = new SequenceColumn(slots);
        for (var slot = 0; slot < 255; slot++)
        {
            column.Set(slot, 1_000_000 + slot, present);
            present[slot >> 6] |= 1UL << (slot & 63);
        }

        Assert.Equal(1, column.BytesPerSlot);
        column.Set(255, 5_000_000, present);

        Assert.Equal(4, column.BytesPerSlot);
        for (var slot = 0; slot < 255; slot++) Assert.Equal(1_000_000 + slot, column[slot]);
        Assert.Equal(5_000_000, column[255]);
    }

    [Fact]
    public void Sequences_no_slot_uses_any_more_are_dropped_from_the_palette()
    {
        const int slots = 10;
        var present = new ulong[1];
        var column = new SequenceColumn(slots);
        // Every slot rewritten again and again, as hourly requests and restatements do: 1,000 sequences, never more than 10 in use.
        for (long sequence = 1; sequence <= 1_000; sequence++)
        {
            var slot = (int)(sequence % slots);
            column.Set(slot, sequence, present);
            present[0] |= 1UL << slot;
        }

        Assert.Equal(1, column.BytesPerSlot);
        for (var slot = 0; slot < slots; slot++) Assert.Equal(990 + (slot == 0 ? 10 : slot), column[slot]);
    }

    [Fact]
    public void Four_series_of_35_days_keep_every_bucket_and_hour_total()
    {
        var buckets = new ServiceBuckets();
        var first = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        string[] costTypes = ["compute", "storage", "network", "database"];
        for (var hour = 0; hour < 840; hour++)
        {
            foreach (var costType in costTypes)
            {
                buckets.Set(new BucketKey("aws", "1", costType, first.AddHours(hour), "", ""), new BucketAmount(1m + hour % 500 / 100m, 0, 0, 0), 7);
            }
        }

        Assert.Equal(840 * 4, buckets.Count);
        Assert.Equal(4 * 4.39m, buckets.TotalOf(first.AddHours(839)));
        Assert.Equal(4 * 1m, buckets.TotalOf(first.AddHours(500)));
        Assert.Equal(840, buckets.HourTotals().Count());
        Assert.Equal(10_655.2m, buckets.HourTotals().Sum(h => h.TotalUsd));
    }
}
