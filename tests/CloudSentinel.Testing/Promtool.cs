using System.Diagnostics;

namespace CloudSentinel.Testing;

/// <summary>
/// Runs the real promtool. A missing promtool fails the test with the way to install it: a rule
/// file that was never checked must not pass.
/// </summary>
public static class Promtool
{
    public const string DefaultPath = "/usr/bin/promtool";

    public static string Path =>
        Environment.GetEnvironmentVariable("PROMTOOL") is { Length: > 0 } custom ? custom : DefaultPath;

    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit code {ExitCode}:\n{Output}";
    }

    public static Result Run(params string[] arguments)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException(
                $"promtool was not found at {Path}. Install Debian's prometheus package " +
                "(apt-get install prometheus) or set PROMTOOL to its path.");
        }

        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"promtool {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        return new Result(process.ExitCode, stdout.Result + stderr.Result);
    }
}
