namespace CloudSentinel.Ingestion;

/// <summary>
/// Spreads a charge period over the UTC hours it touches, in proportion to the time it covers in
/// each hour. Each hour's share is the difference of two rounded cumulative amounts, so the shares
/// telescope back to the record's exact total whatever the rounding.
/// </summary>
public static class HourlySpread
{
    /// <summary>
    /// Shares are rounded to 1e-10 USD, or to the amount's own decimals when it carries more (FOCUS
    /// exports often have 10 to 15), so no share is coarser than the source; the last share takes
    /// whatever the rounding left, so the hours always add up to the exact amount.
    /// </summary>
    public const int Decimals = 10;

    /// <summary>The most decimals a decimal holds; rounding to more would change nothing.</summary>
    private const int MaxDecimals = 28;

    public static DateTime HourStart(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    /// <summary>The default end of a period: one hour after its start, or the last representable time (a year-9999 start is refused as future anyway).</summary>
    public static DateTime OneHourAfter(DateTime start) =>
        start <= DateTime.MaxValue - TimeSpan.FromHours(1) ? start.AddHours(1) : DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    /// <summary>Calls <paramref name="share"/> once per hour with the hour start and the fraction cumulative bounds.</summary>
    public static void Spread(DateTime start, DateTime end, Action<DateTime, Fraction> share)
    {
        var total = (end - start).Ticks;
        var hour = HourStart(start);
        if (hour == HourStart(end - TimeSpan.FromTicks(1)))
        {
            share(hour, Fraction.Whole);
            return;
        }

        long covered = 0;
        while (hour < end)
        {
            var next = hour.AddHours(1);
            var pieceStart = start > hour ? start : hour;
            var pieceEnd = end < next ? end : next;
            var from = covered;
            covered += (pieceEnd - pieceStart).Ticks;
            share(hour, new Fraction(from, covered, total));
            hour = next;
        }
    }

    /// <summary>The part [From, To) of a period of Total ticks that falls into one hour.</summary>
    public readonly record struct Fraction(long From, long To, long Total)
    {
        public static readonly Fraction Whole = new(0, 1, 1);

        public decimal Of(decimal amount)
        {
            if (From == 0 && To == Total) return amount;
            var decimals = Math.Clamp((int)amount.Scale, Decimals, MaxDecimals);
            var upper = To == Total ? amount : Math.Round(amount * To / Total, decimals, MidpointRounding.ToEven);
            var lower = From == 0 ? 0m : Math.Round(amount * From / Total, decimals, MidpointRounding.ToEven);
            return upper - lower;
        }
    }
}
