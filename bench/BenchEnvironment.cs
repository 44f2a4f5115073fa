using System.Diagnostics;

namespace CloudSentinel.Bench;

/// <summary>What every benchmark needs: the repository, a PostgreSQL, and the machine's name.</summary>
public static class BenchEnvironment
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Machine =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";

    /// <summary>
    /// The 1-minute load average: on a 2-core machine that others may be building on, it says more
    /// about a run than anything else, so every report that measures time states it.
    /// </summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>
    /// A throwaway PostgreSQL from scripts/pg.sh with durable settings (fsync and synchronous_commit on,
    /// as users run it), or CLOUDSENTINEL_BENCH_PG when set. Returns its server connection string.
    /// </summary>
    public static async Task<(string ConnectionString, Func<Task> Stop)> StartPostgresAsync()
    {
        if (Environment.GetEnvironmentVariable("CLOUDSENTINEL_BENCH_PG") is { Length: > 0 } given) return (given, () => Task.CompletedTask);

        var output = await Run("bash", "-c \"source scripts/pg.sh && PG_DURABLE=1 pg_throwaway_start pg-bench >&2 && echo $PG_URL && echo $PG_DATA_DIR\"");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (url, dataDir) = (lines[^2], lines[^1]);
        var asPostgres = Environment.UserName == "root" ? "runuser -u postgres -- " : "";
        return (url, async () =>
        {
            await Run("bash", $"-c \"{asPostgres}pg_ctl -D {dataDir} -m fast stop\"");
            // The next benchmark's server may get the same port; pooled connections to this one are dead.
            Npgsql.NpgsqlConnection.ClearAllPools();
        });
    }

    /// <summary>
    /// Creates <paramref name="createTable"/> and times psql's <c>\copy</c> of <paramref name="csvPath"/> into
    /// <paramref name="table"/>: the plain-rows baseline the line-item and FOCUS benchmarks compare against.
    /// </summary>
    public static async Task<TimeSpan> PsqlCopyAsync(string connectionString, string createTable, string table, string csvPath, bool header)
    {
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand(createTable, connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo("psql")
        {
            ArgumentList = { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                             "-U", builder.Username!, "-d", builder.Database!, "-c", $"\\copy {table} FROM '{csvPath}' (FORMAT csv{(header ? ", HEADER true" : "")})" },
            RedirectStandardError = true,
        };
        if (builder.Password is { Length: > 0 } password) info.Environment["PGPASSWORD"] = password;
        var clock = Stopwatch.StartNew();
        using var psql = Process.Start(info) ?? throw new InvalidOperationException("could not start psql");
        var errors = await psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        if (psql.ExitCode != 0) throw new InvalidOperationException($"psql \\copy failed ({psql.ExitCode}): {errors}");
        return elapsed;
    }

    /// <summary>A field of /proc/PID/status in KiB (VmRSS, VmHWM, …); <paramref name="pid"/> "self" for this process.</summary>
    public static long ProcStatusKiB(string pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split([" ", "\t"], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }


    public static async Task<string> Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = RepoRoot, RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}");
        return output;
    }

    /// <summary>Replaces the section between &lt;!-- name:begin --&gt; and &lt;!-- name:end --&gt; of BENCHMARKS.md (or <paramref name="file"/>).</summary>
    public static void WriteSection(string name, string markdown, string file = "BENCHMARKS.md")
    {
        var path = Path.Combine(RepoRoot, file);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var begin = $"<!-- {name}:begin -->";
        var end = $"<!-- {name}:end -->";
        var block = $"{begin}\n{markdown.TrimEnd()}\n{end}";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + block + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(path, text);
        Console.WriteLine($"wrote section '{name}' of {path}");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CloudSentinel.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run the benchmark from inside the repository");
    }
}
