using System.Globalization;
using System.Text;
using CloudSentinel.Core;

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
    /// <summary>The FOCUS generation recognised from the header.</summary>
    public FocusVersion Version { get; init; } = FocusVersion.V1_0To1_2;

    /// <summary>Origin charges (FOCUS 1.3) left out because their allocated split rows are in the file and count instead.</summary>
    public long RowsSuperseded { get; init; }

    public long RowsLoaded => RowsRead - RowsRejected - RowsSuperseded;

    /// <summary>The closing summary of a backfill: records, cost per provider, rejected rows with reasons.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"FOCUS {Version.Label()}: {Records.Count} records from {RowsLoaded} of {RowsRead} rows");
        foreach (var (provider, cost) in CostUsdByProvider.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"; {provider} {cost:0.00} USD");
        }

        text.AppendLine();
        if (RowsSuperseded > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{RowsSuperseded} origin rows left out: their split cost allocation rows count instead");
        }

        if (RowsRejected > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{RowsRejected} rows rejected{(Errors.Count < RowsRejected ? $" (first {Errors.Count} errors listed)" : "")}:");
            foreach (var error in Errors) text.AppendLine(CultureInfo.InvariantCulture, $"  line {error.Record}: {error.Field}: {error.Reason}");
        }

        return text.ToString();
    }
}
