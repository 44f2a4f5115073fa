using System.Diagnostics;
using System.Text;
using CloudSentinel.Connectors;

namespace CloudSentinel.Bench;

/// <summary>
/// The FOCUS import's own share, without HTTP and without PostgreSQL: the importer (open, tokenize or
/// read by column, map, sum per bucket) over the 1,000,000-row file of <see cref="FocusBenchmark"/>
/// held in memory, as CSV, gzip CSV and Parquet, against psql's <c>\copy</c> of the same CSV in the
/// same run. It shows whether parsing could be what bounds the import end to end.
/// </summary>
public static class FocusParseBenchmark
{
    private const int Rounds = 3;

    public static async Task<string> RunAsync()
    {
        var (server, stopPostgres) = await BenchEnvironment.StartPostgresAsync();
        var csvPath = Path.Combine(Path.GetTempPath(), $"cloudsentinel-focus-parse-{Environment.ProcessId}.csv");
        try
        {
            var firstHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - FocusBenchmark.Hours - 1);
            var expected = await FocusBenchmark.WriteCsvAsync(csvPath, firstHour);
            var csv = await File.ReadAllBytesAsync(csvPath);
            var files = new (string Name, byte[] Bytes)[] { ("CSV", csv), ("gzip CSV", FocusBenchmark.Gzip(csv)), ("Parquet", await FocusBenchmark.ParquetAsync(firstHour)) };
            var copyDb = await BenchStack.CreateDatabaseAsync(server, "bench_focus_parse_copy");
            var copy = await FocusBenchmark.CopyBaselineAsync(copyDb, csvPath);
            var copyRate = FocusBenchmark.Rows / copy.TotalSeconds;

            var table = new StringBuilder()
                .AppendLine("## FOCUS import, the parse alone (issue 20)")
                .AppendLine()
                .AppendLine($"Machine: {BenchEnvironment.Machine}; 1-minute load average {BenchEnvironment.LoadAverage()} at the end. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- focus-parse`.")
                .AppendLine($"The importer alone (no HTTP, no PostgreSQL) over the {FocusBenchmark.Rows:N0}-row file of the FOCUS import section, held in memory; median of {Rounds} imports. Baseline: psql `\\copy` of the same CSV into an unindexed table of text columns on a durable throwaway PostgreSQL, in the same run: {copyRate:N0} rows/s ({copy.TotalSeconds:0.0} s).")
                .AppendLine()
                .AppendLine("| file | rows/s, parse alone | CPU µs per row | bytes allocated per row | ratio to `\\copy` |")
                .AppendLine("|---|---:|---:|---:|---:|");
            foreach (var (name, bytes) in files)
            {
                var (seconds, cpu, allocated) = (new List<double>(), new List<double>(), 0L);
                for (var round = 0; round < Rounds; round++)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var clock = Stopwatch.StartNew();
                    var result = await new FocusImporter().ImportAsync(new MemoryStream(bytes, writable: false), "focus-parse");
                    seconds.Add(clock.Elapsed.TotalSeconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000 / FocusBenchmark.Rows);
                    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    var total = result.Records.Sum(r => r.CostUsd);
                    if (result.RowsRead != FocusBenchmark.Rows || total != expected) throw new InvalidOperationException($"{name}: read {result.RowsRead} rows, {total} USD; expected {FocusBenchmark.Rows}, {expected}");
                }

                var median = seconds.Order().ElementAt(Rounds / 2);
                var rate = FocusBenchmark.Rows / median;
                table.AppendLine($"| {name} ({bytes.Length / 1024.0 / 1024:N0} MiB) | {rate:N0} | {cpu.Order().ElementAt(Rounds / 2):0.00} | {allocated / (double)FocusBenchmark.Rows:N0} | {rate / copyRate:0.00}× |");
                Console.Error.WriteLine($"  {name}: {rate:N0} rows/s");
            }

            return table.ToString();
        }
        finally
        {
            File.Delete(csvPath);
            await stopPostgres();
        }
    }
}
