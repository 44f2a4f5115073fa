using System.Diagnostics;
using System.Globalization;

namespace CloudSentinel.Bench;

/// <summary>
/// CPU seconds used by the silo, this process (gateway + driver) and PostgreSQL between two readings,
/// from /proc: on a 2-core machine it shows which component bounds the throughput.
/// </summary>
public sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100;
    private readonly int _siloPid;
    private readonly (double Silo, double Self, double Postgres) _start;

    public CpuMeter(int siloPid)
    {
        _siloPid = siloPid;
        _start = Read();
    }

    public (double Silo, double Self, double Postgres) Elapsed()
    {
        var now = Read();
        return (now.Silo - _start.Silo, now.Self - _start.Self, now.Postgres - _start.Postgres);
    }

    private (double Silo, double Self, double Postgres) Read() =>
        (ProcessSeconds(_siloPid, children: false), ProcessSeconds(Environment.ProcessId, children: false), PostgresSeconds());

    /// <summary>All postgres processes, plus what exited backends left in the postmaster's children counters.</summary>
    private static double PostgresSeconds()
    {
        double total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres") continue;
                total += ProcessSeconds(pid, children: true);
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }

        return total;
    }

    private static double ProcessSeconds(int pid, bool children)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is index 0, so utime/stime/cutime/cstime are 11..14.
        var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        if (children) ticks += double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }
}
