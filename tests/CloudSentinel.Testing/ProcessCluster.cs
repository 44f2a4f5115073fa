using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CloudSentinel.Testing;

/// <summary>
/// Silos and a gateway as real processes (the built CloudSentinel.Silo.dll and CloudSentinel.Gateway.dll),
/// on free loopback ports, over one PostgreSQL database, so that a test can kill -9 any of them.
/// Each process logs to a file under the system temp folder; <see cref="Tail"/> shows the end of it.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    /// <summary>The admin token of the cluster's gateway; <see cref="Http"/> sends it.</summary>
    public const string AdminToken = "process-cluster-admin-token-0123456789abcdefghijkl";

    private readonly string _connectionString;
    private readonly Dictionary<string, string> _settings;
    private readonly Process?[] _silos;
    private readonly (int SiloPort, int GatewayPort)[] _siloPorts;
    private readonly int _httpPort;
    private Process? _gateway;

    public ProcessCluster(string connectionString, int silos, IReadOnlyDictionary<string, string>? settings = null)
    {
        _connectionString = connectionString;
        ClusterId = "proc-" + Guid.NewGuid().ToString("N")[..8];
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        _silos = new Process?[silos];
        _siloPorts = Enumerable.Range(0, silos).Select(_ => (LoopbackPorts.Next(), LoopbackPorts.Next())).ToArray();
        _httpPort = LoopbackPorts.Next();
        LogDirectory = Path.Combine(Path.GetTempPath(), "cloudsentinel-processes", ClusterId);
        Directory.CreateDirectory(LogDirectory);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public string ClusterId { get; }

    public string LogDirectory { get; }

    public HttpClient Http { get; }

    public int SiloCount => _silos.Length;

    public async Task StartAsync()
    {
        for (var n = 1; n <= _silos.Length; n++) StartSilo(n);
        StartGateway();
        await WaitReadyAsync();
    }

    /// <summary>Starts silo <paramref name="n"/> (1-based) on its own ports, again after a kill.</summary>
    public void StartSilo(int n)
    {
        var (siloPort, gatewayPort) = _siloPorts[n - 1];
        _silos[n - 1] = Launch("Silo", $"silo-{n}", new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = siloPort.ToString(),
            ["Orleans__GatewayPort"] = gatewayPort.ToString(),
        });
    }

    public void StartGateway() => _gateway = Launch("Gateway", "gateway", new Dictionary<string, string>
    {
        ["Urls"] = $"http://127.0.0.1:{_httpPort}",
        ["Synthetic__Enabled"] = "false",
        ["Auth__AdminToken"] = AdminToken,
    });

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillSilo(int n) => Kill(_silos[n - 1]);

    public void KillGateway() => Kill(_gateway);

    public void KillAll()
    {
        KillGateway();
        for (var n = 1; n <= _silos.Length; n++) KillSilo(n);
    }

    public bool IsSiloRunning(int n) => _silos[n - 1] is { HasExited: false };

    /// <summary>The running processes by name (silo-1…, gateway) with their ids, for /proc readings.</summary>
    public IReadOnlyDictionary<string, int> RunningProcesses() =>
        _silos.Select((p, i) => (Name: $"silo-{i + 1}", Process: p)).Append((Name: "gateway", Process: _gateway))
            .Where(e => e.Process is { HasExited: false }).ToDictionary(e => e.Name, e => e.Process!.Id);

    /// <summary>SIGTERM, as an operator's stop or an orchestrator's rolling update sends, and waits for the exit.</summary>
    public Task StopSiloAsync(int n) => TerminateAsync(_silos[n - 1]);

    public Task StopGatewayAsync() => TerminateAsync(_gateway);

    private static async Task TerminateAsync(Process? process)
    {
        if (process is null || process.HasExited) return;
        Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit(5_000);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {process.Id} did not stop within 45 s of SIGTERM");
        }
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var response = await Http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = await response.Content.ReadAsStringAsync();
            }
            catch (Exception ex)
            {
                last = ex.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the process cluster did not become ready: {last}\n{Tail("gateway")}\n{Tail("silo-1")}");
    }

    /// <summary>The last lines of a process's log, for a failure message.</summary>
    public string Tail(string name, int lines = 30)
    {
        var path = Path.Combine(LogDirectory, name + ".log");
        if (!File.Exists(path)) return $"({name}: no log)";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var all = new StreamReader(stream).ReadToEnd().Split('\n');
        return $"--- {name} ---\n" + string.Join('\n', all.TakeLast(lines));
    }

    private Process Launch(string project, string name, Dictionary<string, string> own)
    {
        var dll = BuiltHost(project);
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Postgres"] = _connectionString;
        info.Environment["Orleans__ClusterId"] = ClusterId;
        // As run.sh and the Dockerfile start them: glibc's malloc with two arenas (docs/durability.md, "Memory").
        info.Environment["MALLOC_ARENA_MAX"] = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "2";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in _settings) info.Environment[key] = value;
        foreach (var (key, value) in own) info.Environment[key] = value;

        var log = new StreamWriter(new FileStream(Path.Combine(LogDirectory, name + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (gate) log.WriteLine($"=== {name} exited ==="); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Kill(Process? process)
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    /// <summary>The host built alongside this assembly, in the same configuration (Debug or Release).</summary>
    private static string BuiltHost(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CloudSentinel.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new InvalidOperationException("not inside the CloudSentinel repository");
        var dll = Path.Combine(root, "src", project, "bin", configuration, "net10.0", $"CloudSentinel.{project}.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing; build the solution ({configuration}) first, as ./test.sh does");
    }

    public async ValueTask DisposeAsync()
    {
        // Graceful stops first, so that the silos leave membership; whatever does not stop in time is killed.
        var all = _silos.Append(_gateway).Where(p => p is { HasExited: false }).Cast<Process>().ToList();
        foreach (var process in all)
        {
            try
            {
                Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit(5_000);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }

        foreach (var process in all)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
            }
        }

        Http.Dispose();
    }
}
