using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CloudSentinel.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CloudSentinel.Bench;

/// <summary>
/// The real system for a benchmark: the silo as its own process (so its memory can be read) and the
/// gateway in this process, on free loopback ports, over one PostgreSQL database.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    private const string AdminToken = "bench-admin-token-0123456789abcdefghijklmnopqrstuv";

    private BenchStack(Process silo, WebApplication gateway, HttpClient http, string database)
    {
        Silo = silo;
        Gateway = gateway;
        Http = http;
        Database = database;
    }

    public Process Silo { get; }

    public WebApplication Gateway { get; }

    public HttpClient Http { get; }

    public string Database { get; }

    public static async Task<BenchStack> StartAsync(string server, string databaseName)
    {
        var database = await CreateDatabaseAsync(server, databaseName);
        var (siloPort, gatewayPort) = (LoopbackPorts.Next(), LoopbackPorts.Next());
        var siloDir = Path.Combine(BenchEnvironment.RepoRoot, "src/Silo/bin/Release/net10.0");
        var info = new ProcessStartInfo("dotnet", "CloudSentinel.Silo.dll") { WorkingDirectory = siloDir };
        info.Environment["ConnectionStrings__Postgres"] = database;
        info.Environment["Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["Orleans__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var silo = Process.Start(info) ?? throw new InvalidOperationException("could not start the silo");

        var gateway = GatewayApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
            ["ConnectionStrings:Postgres"] = database,
            ["Urls"] = "http://127.0.0.1:0",
            ["Auth:AdminToken"] = AdminToken,
            ["Logging:LogLevel:Default"] = "Error",
        }));
        await gateway.StartAsync();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        var stack = new BenchStack(silo, gateway, http, database);
        await stack.WaitReadyAsync();
        return stack;
    }

    /// <summary>503s answered while ingest pushed back; each request was sent again after its Retry-After.</summary>
    public int Refused => _refused;

    private int _refused;

    /// <summary>Posts until the 200, as a client that honours Retry-After does; any other answer ends the benchmark.</summary>
    public async Task PostAsync(string path, byte[] body)
    {
        while (true)
        {
            using var content = new ByteArrayContent(body);
            using var response = await Http.PostAsync(path, content);
            if (response.IsSuccessStatusCode) return;
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter?.Delta is not { } wait)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            Interlocked.Increment(ref _refused);
            await Task.Delay(wait);
        }
    }

    /// <summary>Peak resident memory of the silo process (VmHWM) in MiB.</summary>
    public double SiloPeakMemoryMb()
    {
        return BenchEnvironment.ProcStatusKiB(Silo.Id.ToString(CultureInfo.InvariantCulture), "VmHWM") / 1024.0;
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        catch (PostgresException)
        {
            return -1;
        }
    }

    public async Task WaitForCountAsync(string sql, long atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await CountAsync(sql) >= atLeast) return;
            await Task.Delay(50);
        }

        throw new TimeoutException($"'{sql}' did not reach {atLeast} in {timeout}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gateway.StopAsync();
        await Gateway.DisposeAsync();
        if (!Silo.HasExited)
        {
            Silo.Kill(entireProcessTree: true);
            await Silo.WaitForExitAsync();
        }
    }

    private async Task WaitReadyAsync()
    {
        for (var i = 0; i < 240; i++)
        {
            try
            {
                if ((await Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // The gateway's listener is up before the cluster answers; keep asking.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("the gateway did not become ready in 120 s");
    }

    public static async Task<string> CreateDatabaseAsync(string server, string name)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
