using System.Diagnostics;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// A small tmpfs, mounted for one test and owned by the postgres user, so that a tablespace on it
/// fills up for real. Mounting needs root; without it the test fails saying so (never skipped).
/// </summary>
public sealed class TinyDisk : IAsyncDisposable
{
    private TinyDisk(string path) => Path = path;

    public string Path { get; }

    public static async Task<TinyDisk> MountAsync(string size)
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("this test mounts a tmpfs to fill a disk for real, which needs root (as ./test.sh runs here)");
        var path = Directory.CreateTempSubdirectory("cloudsentinel-tinydisk-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        await RunAsync("chown", "postgres:postgres", path);
        return new TinyDisk(path);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        // Lazy, so that a server still holding a file there cannot keep the mount alive.
        await RunAsync("umount", "-l", Path);
        Directory.Delete(Path);
    }
}
