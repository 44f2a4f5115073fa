using System.Net;
using System.Net.Sockets;
using System.Text;
using CloudSentinel.Gateway;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Tests.Infrastructure;

/// <summary>
/// A real silo and a real gateway in this process, on free loopback ports, over a fresh
/// PostgreSQL database (or in-memory storage when <c>postgres</c> is false).
/// </summary>
public sealed class CloudSentinelStack : IAsyncDisposable
{
    /// <summary>The admin token every stack's gateway is configured with; <see cref="Http"/> sends it.</summary>
    public const string AdminToken = "test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly Dictionary<string, string?> _siloSettings;
    private readonly Dictionary<string, string?> _gatewaySettings;
    private readonly Action<IServiceCollection>? _siloServices;
    private readonly List<WebApplication> _otherGateways = [];

    private CloudSentinelStack(TestPostgres? database, Dictionary<string, string?> siloSettings, Dictionary<string, string?> gatewaySettings, Action<IServiceCollection>? siloServices)
    {
        Database = database;
        _siloSettings = siloSettings;
        _gatewaySettings = gatewaySettings;
        _siloServices = siloServices;
    }

    public TestPostgres? Database { get; }

    public IHost Silo { get; private set; } = null!;

    public WebApplication Gateway { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IClusterClient Client => Gateway.Services.GetRequiredService<IClusterClient>();

    /// <param name="siloServices">Registered before the silo's own services, so a test can substitute one (e.g. cloud credentials).</param>
    public static async Task<CloudSentinelStack> StartAsync(
        bool postgres = true, IDictionary<string, string?>? gatewaySettings = null, IDictionary<string, string?>? siloSettings = null,
        Action<IServiceCollection>? siloServices = null)
    {
        var database = postgres ? await TestPostgres.CreateAsync("cs_stack") : null;
        var siloPort = LoopbackPorts.Next();
        var gatewayPort = LoopbackPorts.Next();
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        var silo = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:SiloPort"] = siloPort.ToString(),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(),
            ["ConnectionStrings:Postgres"] = database?.ConnectionString,
            ["ServiceCosts:SnapshotInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var gateway = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
            ["ConnectionStrings:Postgres"] = database?.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Auth:AdminToken"] = AdminToken,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in gatewaySettings ?? new Dictionary<string, string?>()) gateway[key] = value;
        foreach (var (key, value) in siloSettings ?? new Dictionary<string, string?>()) silo[key] = value;

        var stack = new CloudSentinelStack(database, silo, gateway, siloServices);
        await stack.StartSiloAsync();
        stack.Gateway = GatewayApp.Build([], b => b.Configuration.AddInMemoryCollection(gateway));
        await stack.Gateway.StartAsync();
        stack.Http = stack.HttpWith(AdminToken);
        await stack.WaitUntilReadyAsync();
        return stack;
    }

    /// <summary>An HTTP client for the gateway that sends <paramref name="token"/> (none when null).</summary>
    public HttpClient HttpWith(string? token) => HttpWith(Gateway, token);

    /// <summary>A second gateway on the same silos and database, as a cluster with several gateways has; stopped with the stack.</summary>
    public async Task<WebApplication> StartAnotherGatewayAsync()
    {
        var gateway = GatewayApp.Build([], b => b.Configuration.AddInMemoryCollection(_gatewaySettings));
        await gateway.StartAsync();
        _otherGateways.Add(gateway);
        return gateway;
    }

    /// <summary>An HTTP client for <paramref name="gateway"/> that sends <paramref name="token"/> (none when null).</summary>
    public static HttpClient HttpWith(WebApplication gateway, string? token)
    {
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task StartSiloAsync()
    {
        Silo = await SiloHost.BuildAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(_siloSettings);
            _siloServices?.Invoke(b.Services);
        });
        await Silo.StartAsync();
    }

    public async Task StopSiloAsync()
    {
        await Silo.StopAsync();
        Silo.Dispose();
    }

    public async Task WaitUntilReadyAsync()
    {
        await Eventually.Async(async () =>
        {
            var response = await Http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }, "the gateway to report ready");
    }

    /// <summary>
    /// Waits until the ingest log is empty: everything acknowledged so far has been applied, including
    /// the shares cluster grains derived from it (they enter the log before their own message leaves it).
    /// Without PostgreSQL, ingest applies before it answers, so there is nothing to wait for.
    /// </summary>
    public async Task WaitForSettledAsync()
    {
        if (Database is null) return;
        await Eventually.Async(async () => await QueryScalarAsync<long>("SELECT count(*) FROM ingest_log") == 0, "the ingest log to drain");
    }

    /// <summary>Sends cost records as one ingest request, requires a 200, and waits until they are applied.</summary>
    public async Task IngestAndSettleAsync(params string[] records)
    {
        var response = await PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", records) + "]");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await WaitForSettledAsync();
    }

    public async Task<HttpResponseMessage> PostAsync(string path, string body) =>
        await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    public async Task<string> ScrapeAsync()
    {
        await Gateway.Services.GetRequiredService<SnapshotPoller>().PollOnceAsync();
        return await Http.GetStringAsync(GatewayApp.MetricsPath);
    }

    public async Task<T> QueryScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of <paramref name="sql"/>, each as its column values.</summary>
    public async Task<List<object[]>> QueryRowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var other in _otherGateways)
        {
            await other.StopAsync();
            await other.DisposeAsync();
        }

        if (Gateway is not null)
        {
            await Gateway.StopAsync();
            await Gateway.DisposeAsync();
        }

        if (Silo is not null)
        {
            await Silo.StopAsync();
            Silo.Dispose();
        }

        if (Database is not null) await Database.DisposeAsync();
    }

}

/// <summary>Waits for an asynchronous effect, bounded in time, and says what it waited for when it gives up.</summary>
public static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out waiting for {what}" + (last is null ? "" : $"; last error: {last.Message}"), last);
    }
}
