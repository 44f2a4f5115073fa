namespace CloudSentinel.Grains.Costs;

/// <summary>
/// A window of consecutive hours, starting at <see cref="Origin"/>, that grows to take any hour and
/// shrinks when hours before a cutoff are dropped. The columns that derive from it keep one slot per hour.
/// </summary>
public abstract class HourWindow
{
    private const int MinimumGrowth = 48;

    protected DateTime Origin { get; private set; }

    protected int Capacity { get; private set; }

    /// <summary>The slot of <paramref name="hour"/>, or -1 when it is outside the window.</summary>
    protected int SlotOf(DateTime hour)
    {
        if (Capacity == 0 || hour < Origin) return -1;
        var slot = (hour.Ticks - Origin.Ticks) / TimeSpan.TicksPerHour;
        return slot < Capacity ? (int)slot : -1;
    }

    /// <summary>The slot of <paramref name="hour"/>, growing the window (with room to spare) when it is outside.</summary>
    protected int EnsureSlot(DateTime hour)
    {
        if (SlotOf(hour) is var slot and >= 0) return slot;
        if (Capacity == 0)
        {
            Origin = hour;
            Capacity = 1;
            Resize(0, Capacity);
            return 0;
        }

        var end = Origin.AddHours(Capacity);
        if (hour < Origin)
        {
            // Earlier hours: room before, as restatements and backfills walk backwards.
            var needed = (int)((Origin.Ticks - hour.Ticks) / TimeSpan.TicksPerHour);
            var grow = Math.Max(needed, Math.Max(Capacity / 4, MinimumGrowth));
            Origin = Origin.AddHours(-grow);
            Resize(grow, Capacity + grow);
            Capacity += grow;
        }
        else
        {
            var needed = (int)((hour.Ticks - end.Ticks) / TimeSpan.TicksPerHour) + 1;
            var grow = Math.Max(needed, Math.Max(Capacity / 4, MinimumGrowth));
            Resize(0, Capacity + grow);
            Capacity += grow;
        }

        return SlotOf(hour);
    }

    /// <summary>Drops the slots before <paramref name="cutoff"/>.</summary>
    protected void DropBefore(DateTime cutoff)
    {
        if (Capacity == 0 || cutoff <= Origin) return;
        var drop = (int)Math.Min(Capacity, (cutoff.Ticks - Origin.Ticks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour);
        Shift(drop, Capacity - drop);
        Origin = Origin.AddHours(drop);
        Capacity -= drop;
    }

    protected DateTime HourAt(int slot) => Origin.AddHours(slot);

    /// <summary>Re-allocates the columns to <paramref name="capacity"/> slots, the old slot 0 moving to <paramref name="offset"/>.</summary>
    protected abstract void Resize(int offset, int capacity);

    /// <summary>Moves the last <paramref name="keep"/> slots, from slot <paramref name="drop"/> on, to the front.</summary>
    protected abstract void Shift(int drop, int keep);

    /// <summary>
    /// A column of <paramref name="capacity"/> slots holding the <paramref name="count"/> slots of
    /// <paramref name="column"/> from <paramref name="from"/> on, at <paramref name="to"/>: growing
    /// (room before or after) and dropping the first slots are both this copy.
    /// </summary>
    public static T[] Remapped<T>(T[] column, int from, int to, int count, int capacity)
    {
        var remapped = new T[capacity];
        Array.Copy(column, from, remapped, to, count);
        return remapped;
    }

    /// <summary>The (from, to, count) of <see cref="Remapped"/> that moves slot 0 of a column of <paramref name="length"/> slots to <paramref name="offset"/> in <paramref name="capacity"/>.</summary>
    public static (int From, int To, int Count) Move(int length, int offset, int capacity) => (0, offset, Math.Min(length, capacity - offset));

    protected static bool IsSet(ulong[] bits, int slot) => (bits[slot >> 6] & (1UL << (slot & 63))) != 0;

    /// <summary>The bitmap of <paramref name="bits"/> with every bit moved by <paramref name="offset"/> slots, sized for <paramref name="capacity"/>.</summary>
    protected static ulong[] MovedBits(ulong[] bits, int offset, int capacity)
    {
        var moved = new ulong[(capacity + 63) >> 6];
        for (var word = 0; word < bits.Length; word++)
        {
            var value = bits[word];
            while (value != 0)
            {
                var bit = System.Numerics.BitOperations.TrailingZeroCount(value);
                value &= value - 1;
                var target = (word << 6) + bit + offset;
                if (target >= 0 && target < capacity) moved[target >> 6] |= 1UL << (target & 63);
            }
        }

        return moved;
    }
}
