using CloudSentinel.Core;

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

    /// <summary>The default end of a period: one hour after its start, or the last representable time (a year-9999 start is refused as future anyway).</summary>
    public static DateTime OneHourAfter(DateTime start) =>
        start <= DateTime.MaxValue - TimeSpan.FromHours(1) ? start.AddHours(1) : DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    /// <summary>Calls <paramref name="share"/> once per hour with the hour start and the fraction cumulative bounds.</summary>
    public static void Spread(DateTime start, DateTime end, Action<DateTime, Fraction> share)
    {
        foreach (var (hour, fraction) in Pieces(start, end)) share(hour, fraction);
    }

    /// <summary>The hours a period touches with their fractions, as a struct enumerator: no closure, no allocation.</summary>
    public static PieceEnumerator Pieces(DateTime start, DateTime end) => new(start, end);

    /// <summary>Walks the hours of [start, end): each hour start and its <see cref="Fraction"/> of the period.</summary>
    public struct PieceEnumerator(DateTime start, DateTime end)
    {
        private readonly long _total = (end - start).Ticks;
        private readonly bool _single = UtcHours.HourStart(start) == UtcHours.HourStart(end - TimeSpan.FromTicks(1));
        private DateTime _next = UtcHours.HourStart(start);
        private long _covered;
        private bool _started;

        public (DateTime Hour, Fraction Fraction) Current { get; private set; }

        public readonly PieceEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_single)
            {
                if (_started) return false;
                _started = true;
                Current = (_next, Fraction.Whole);
                return true;
            }

            if (_next >= end) return false;
            var hour = _next;
            _next = hour.AddHours(1);
            var pieceStart = start > hour ? start : hour;
            var pieceEnd = end < _next ? end : _next;
            var from = _covered;
            _covered += (pieceEnd - pieceStart).Ticks;
            Current = (hour, new Fraction(from, _covered, _total));
            return true;
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
