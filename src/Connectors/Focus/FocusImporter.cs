using CloudSentinel.Ingestion;

namespace CloudSentinel.Connectors;

/// <summary>
/// Imports a FOCUS 1.0–1.2 export (CSV, gzip CSV or Parquet) for one tenant. The file is streamed row
/// by row; only the sums per bucket key are held, so memory grows with the number of keys, not rows.
/// A bad row is reported with its line and left out; the rest of the file loads. Importing the same
/// file again yields the same records, which downstream replace themselves: nothing is counted twice.
/// </summary>
public sealed class FocusImporter
{
    private readonly FocusImportOptions _options;

    public FocusImporter(FocusImportOptions? options = null)
    {
        _options = options ?? new FocusImportOptions();
        _options.Validate();
    }

    /// <param name="file">The file; read to its end, left open.</param>
    /// <param name="progress">Told the number of rows read so far, every 10,000 rows and at the end.</param>
    /// <exception cref="FocusFileException">The file as a whole is unusable (no FOCUS header, unsplittable rows); nothing is loaded.</exception>
    public async Task<FocusImportResult> ImportAsync(Stream file, string tenant, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Names.CheckTenant(tenant) is { } problem) throw new ArgumentException($"tenant {problem}", nameof(tenant));

        await using var table = await FocusFileOpener.OpenAsync(file, cancellationToken);
        var mapper = new FocusRowMapper(table.Columns, _options);
        var aggregator = new CostLineAggregator(tenant, _options.Source);
        var costByProvider = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var errors = new List<IngestError>();
        var rowErrors = new List<IngestError>();
        long rows = 0, rejected = 0;

        await foreach (var row in table.ReadRowsAsync(mapper.UsedColumns, cancellationToken))
        {
            rows++;
            rowErrors.Clear();
            if (mapper.TryMap(row, rowErrors, out var key, out var costUsd, out var details))
            {
                aggregator.Add(key, costUsd, details);
                costByProvider[key.Provider] = costByProvider.GetValueOrDefault(key.Provider) + costUsd;
            }
            else
            {
                rejected++;
                foreach (var error in rowErrors)
                {
                    if (errors.Count < _options.MaxReportedErrors) errors.Add(error);
                }
            }

            if (rows % 10_000 == 0) progress?.Report(rows);
        }

        progress?.Report(rows);
        return new FocusImportResult(aggregator.ToRecords(), rows, rejected, errors, costByProvider);
    }
}
