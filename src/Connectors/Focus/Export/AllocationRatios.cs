namespace CloudSentinel.Connectors;

/// <summary>
/// The AllocatedRatio of each part of a split charge: its share of the origin, rounded to 18 decimals,
/// with the rounding remainder on the largest share so that the ratios of one origin sum to exactly 1,
/// as FOCUS 1.3 requires (CAU-AllocatedMethodDetailsObject-O-014-M). An origin whose parts sum to zero
/// (a credit and a charge cancelling out) has no meaningful share, so its parts get equal ratios.
/// </summary>
public static class AllocationRatios
{
    private const int Decimals = 18;

    public static decimal[] Of(IReadOnlyList<decimal> amounts)
    {
        if (amounts.Count == 0) return [];
        var total = amounts.Sum();
        var ratios = amounts.Select(a => Math.Round(total == 0 ? 1m / amounts.Count : a / total, Decimals)).ToArray();
        var largest = 0;
        for (var i = 1; i < ratios.Length; i++)
        {
            if (Math.Abs(ratios[i]) > Math.Abs(ratios[largest])) largest = i;
        }

        ratios[largest] += 1m - ratios.Sum();
        return ratios;
    }
}
