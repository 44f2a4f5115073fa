
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Imports a FOCUS 1.0–1.3 export (CSV, gzip CSV or Parquet) for one tenant; the version is recognised
/// from the header. The file is streamed row by row; only the sums per bucket key are held, so memory
/// grows with the number of keys, not rows. A bad row is reported with its line and left out; the rest
/// of the file loads. Importing the same file again yields the same records, which downstream replace
/// themselves: nothing is counted twice. In a 1.3 file with split cost allocation, an origin charge that
/// also has allocated parts in the file is left out, so its money counts once, in the parts.
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
        var splits = mapper.HasSplits ? new SplitOrigins() : null;
        var costByProvider = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var errors = new List<IngestError>();
        var rowErrors = new List<IngestError>();
        long rows = 0, rejected = 0;

        await foreach (var row in table.ReadRowsAsync(mapper.UsedColumns, cancellationToken))
        {
            rows++;
            rowErrors.Clear();
            if (mapper.TryMap(row, rowErrors, out var key, out var costUsd, out var details, out var split))
            {
                aggregator.Add(key, costUsd, details);
                costByProvider[key.Provider] = costByProvider.GetValueOrDefault(key.Provider) + costUsd;
                splits?.Add(split, key, costUsd);
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

        long superseded = 0;
        foreach (var (key, costUsd, lines) in splits?.SplitOriginLines() ?? [])
        {
            aggregator.Remove(key, costUsd, lines);
            costByProvider[key.Provider] -= costUsd;
            superseded += lines;
        }

        progress?.Report(rows);
        return new FocusImportResult(aggregator.ToRecords(), rows, rejected, errors, costByProvider)
        {
            Version = mapper.Version,
            RowsSuperseded = superseded,
        };
    }

    /// <summary>
    /// Remembers, per origin charge, the unsplit lines and whether allocated parts were seen, because
    /// the parts may come before or after their origin. One entry per (resource, charge period), held
    /// only for files that have the AllocatedMethodId column.
    /// </summary>
    private sealed class SplitOrigins
    {
        private readonly Dictionary<FocusSplitOrigin, Entry> _origins = new();

        public void Add(FocusSplit split, CostLineKey key, decimal costUsd)
        {
            if (split.Origin is not { } origin) return;
            if (!_origins.TryGetValue(origin, out var entry)) _origins.Add(origin, entry = new Entry());
            if (split.IsAllocated)
            {
                entry.HasParts = true;
                return;
            }

            var (sum, lines) = entry.Unsplit.GetValueOrDefault(key);
            entry.Unsplit[key] = (sum + costUsd, lines + 1);
        }

        /// <summary>The unsplit lines of every origin that has parts: they must not count a second time.</summary>
        public IEnumerable<(CostLineKey Key, decimal CostUsd, int Lines)> SplitOriginLines() =>
            _origins.Values.Where(e => e.HasParts).SelectMany(e => e.Unsplit.Select(u => (u.Key, u.Value.CostUsd, u.Value.Lines)));

        private sealed class Entry
        {
            public bool HasParts { get; set; }

            public Dictionary<CostLineKey, (decimal CostUsd, int Lines)> Unsplit { get; } = new();
        }
    }
}
