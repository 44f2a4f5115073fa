using System.Diagnostics;
using Npgsql;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// A PostgreSQL server of this test's own, from scripts/pg.sh, that it may stop and start without
/// disturbing the server every other test shares.
/// </summary>
public sealed class OwnPostgresServer : IAsyncDisposable
{
    private readonly string _name = "pg-fault-" + Guid.NewGuid().ToString("N")[..6];
    private string _dataDir = "";
    private int _port;

    public string ConnectionString { get; private set; } = "";

    public static async Task<OwnPostgresServer> StartAsync()
    {
        var server = new OwnPostgresServer();
        var output = await Bash($"source scripts/pg.sh && pg_throwaway_start {server._name} >&2 && echo $PG_PORT && echo $PG_DATA_DIR && " +
                                "psql \"postgresql://postgres@127.0.0.1:$PG_PORT/postgres\" -qAtc 'CREATE DATABASE cloudsentinel' >&2");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        server._port = int.Parse(lines[0]);
        server._dataDir = lines[1];
        server.ConnectionString = $"Host=127.0.0.1;Port={server._port};Username=postgres;Database=cloudsentinel";
        return server;
    }

    public Task StopAsync() => PgCtl("-m fast stop");

    public Task StartAgainAsync() => PgCtl($"-w -t 60 -l {_dataDir}/server.log -o \"-h 127.0.0.1 -p {_port} -k {_dataDir}\" start");

    private Task PgCtl(string arguments)
    {
        var asPostgres = Environment.UserName == "root" ? "runuser -u postgres -- " : "";
        return Bash($"PGCTL=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | head -1) && {asPostgres}\"$PGCTL\" -D {_dataDir} {arguments} >&2");
    }

    private static async Task<string> Bash(string script)
    {
        var info = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"bash -c '{script}' exited with {process.ExitCode}: {await error}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await PgCtl("-m immediate stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }
}
