namespace CloudSentinel.Bench;

/// <summary>A durable throwaway PostgreSQL (scripts/pg.sh, PG_DURABLE=1) that the soak can stop and start again.</summary>
public sealed class SoakPostgres
{
    private string _dataDir = "";
    private string _port = "";

    public string ConnectionString { get; private set; } = "";

    public static async Task<SoakPostgres> StartAsync()
    {
        var output = await BenchEnvironment.Run("bash", "-c \"source scripts/pg.sh && PG_DURABLE=1 pg_throwaway_start pg-soak >&2 && echo $PG_URL && echo $PG_DATA_DIR && echo $PG_PORT\"");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new SoakPostgres { ConnectionString = lines[^3], _dataDir = lines[^2], _port = lines[^1] };
    }

    public Task StopAsync() => PgCtl("-m fast stop");

    /// <summary>Starts the stopped server again with the options pg.sh gave it (durable: no fsync options).</summary>
    public Task StartAgainAsync() => PgCtl($"-w -t 60 -l {_dataDir}/server.log -o '-h 127.0.0.1 -p {_port} -k {_dataDir} -c shared_buffers=256MB' start");

    private Task PgCtl(string arguments)
    {
        var asPostgres = Environment.UserName == "root" ? "runuser -u postgres -- " : "";
        return BenchEnvironment.Run("bash", $"-c \"PGCTL=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | head -1) && {asPostgres}$PGCTL -D {_dataDir} {arguments} >&2 || true\"");
    }
}
