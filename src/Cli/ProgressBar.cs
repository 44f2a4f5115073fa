using System.Diagnostics;
using System.Globalization;

namespace CloudSentinel.Cli;

/// <summary>A one-line progress bar on stderr, redrawn in place with a carriage return, at most ten times a second; without a known total, a running count.</summary>
public sealed class ProgressBar(TextWriter stderr, long total, Func<long, string> describe)
{
    private const int Width = 30;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private bool _drawn;

    public void Report(long done, bool force = false)
    {
        if (!force && _drawn && _sinceDraw.ElapsedMilliseconds < 100) return;
        _sinceDraw.Restart();
        _drawn = true;
        if (total <= 0)
        {
            // A streamed answer has no length to measure against: count what arrived.
            stderr.Write($"\r{describe(done)}   ");
            stderr.Flush();
            return;
        }

        var fraction = total <= 0 ? 1.0 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)Math.Round(fraction * Width);
        stderr.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('-', Width - filled)}] {(int)Math.Round(fraction * 100),3}%  {describe(done)} / {describe(total)}   "));
        stderr.Flush();
    }

    /// <summary>Draws the final state and ends the line, so what follows starts on its own line.</summary>
    public void Finish(long done)
    {
        Report(done, force: true);
        stderr.WriteLine();
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
