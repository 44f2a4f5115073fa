using System.Globalization;
using System.Text;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Connectors;

/// <summary>
/// The outcome of one FOCUS file: one record per bucket key (to send as one batch), and what was left out and why.
/// </summary>
/// <param name="Errors">Rejected rows, by line (CSV) or 1-based row number (Parquet); at most MaxReportedErrors of them.</param>
public sealed record FocusImportResult(
    IReadOnlyList<CostRecord> Records,
    long RowsRead,
    long RowsRejected,
    IReadOnlyList<IngestError> Errors,
    IReadOnlyDictionary<string, decimal> CostUsdByProvider)
{
    public long RowsLoaded => RowsRead - RowsRejected;

    /// <summary>The closing summary of a backfill: records, cost per provider, rejected rows with reasons.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Records.Count} records from {RowsLoaded} of {RowsRead} rows");
        foreach (var (provider, cost) in CostUsdByProvider.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"; {provider} {cost:0.00} USD");
        }

        text.AppendLine();
        if (RowsRejected > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{RowsRejected} rows rejected{(Errors.Count < RowsRejected ? $" (first {Errors.Count} errors listed)" : "")}:");
            foreach (var error in Errors) text.AppendLine(CultureInfo.InvariantCulture, $"  line {error.Record}: {error.Field}: {error.Reason}");
        }

        return text.ToString();
    }
}
