using System.Globalization;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors.Tests;

/// <summary>One line per record with every field that matters, so tests compare whole records exactly (amounts without trailing zeros, which Parquet decimals carry).</summary>
internal static class RecordText
{
    public static string Of(CostRecord r) => string.Join(" | ",
        r.Tenant, r.ServiceName, r.Provider, r.AccountId, r.CostType,
        r.PeriodStart.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture) + ".." + r.PeriodEnd.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture),
        r.CostUsd.ToString("0.############################", CultureInfo.InvariantCulture), r.Source, r.ProviderService ?? "-",
        r.Tags is null ? "-" : string.Join(",", r.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")));

    public static string[] Of(IEnumerable<CostRecord> records) => records.Select(Of).ToArray();
}
