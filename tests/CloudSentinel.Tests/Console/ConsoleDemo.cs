using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Tests.Console;

/// <summary>
/// The demo as ./run.sh runs it, smaller: the synthetic feed backfills 15 days for tenants acme and
/// globex (6 services each plus untagged, two clusters each), with spikes frequent enough that the
/// last day surely holds anomalies, and sets the demo budgets. The running hour is sent once and then
/// not again for an hour, so what the pages show holds still while the tests compare it. One headless
/// chromium serves every test of the class.
/// </summary>
public sealed class ConsoleDemo : IAsyncLifetime
{
    public const string Tenant = "acme";
    public const string OtherTenant = "globex";

    public CloudSentinelStack Stack { get; private set; } = null!;

    public Chromium Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = null!;

    public static string ScreenshotPath(string name) => RepoPaths.Combine("TestResults", "screenshots", name);

    public TimeSpan DemoReadyAfter { get; private set; }

    public async Task InitializeAsync()
    {
        // Fail before the slow part when there is no browser: the message says how to get one.
        Chromium.Require();
        var watch = Stopwatch.StartNew();
        Stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?>
        {
            ["Synthetic:Enabled"] = "true",
            ["Synthetic:Tenants:0"] = Tenant,
            ["Synthetic:Tenants:1"] = OtherTenant,
            ["Synthetic:ServicesPerTenant"] = "6",
            ["Synthetic:BackfillDays"] = "15",
            ["Synthetic:SpikeProbability"] = "0.05",
            ["Synthetic:Interval"] = "01:00:00",
        }, siloSettings: new Dictionary<string, string?>
        {
            // Snapshots (and with them the once-a-minute forecast writes) every 5 s instead of every minute, so forecasts settle sooner.
            ["ServiceCosts:SnapshotRefresh"] = "00:00:05",
        });
        BaseUrl = Stack.Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await WaitForDemoAsync();
        DemoReadyAfter = watch.Elapsed;
        Browser = await Chromium.StartAsync();
    }

    private async Task WaitForDemoAsync()
    {
        await Eventually.Async(async () =>
            await Stack.QueryScalarAsync<long>($"SELECT count(*) FROM budgets WHERE tenant_id = '{Tenant}' AND service_name = '*'") == 1 &&
            await Stack.QueryScalarAsync<long>($"SELECT count(*) FROM service_costs WHERE tenant_id = '{Tenant}' AND \"timestamp\" >= date_trunc('hour', now())") > 0 &&
            await Stack.QueryScalarAsync<long>($"SELECT count(*) FROM cost_anomalies WHERE tenant_id = '{Tenant}' AND \"timestamp\" >= date_trunc('hour', now()) - interval '23 hours'") > 0 &&
            await Stack.QueryScalarAsync<long>("SELECT count(*) FROM ingest_log") == 0,
            "the demo feed to backfill, set budgets and send the running hour, and the grains to apply all of it", TimeSpan.FromMinutes(4));

        // A grain writes its forecast at most once a minute, and caches it for 10 s: wait for forecasts made
        // from all the data (after the log drained), not the ones written while the backfill was arriving.
        var drained = await Stack.QueryScalarAsync<DateTime>("SELECT now() + interval '11 seconds'");
        await Eventually.Async(async () => await Stack.QueryScalarAsync<long>($"""
            SELECT (count(*) > 0 AND bool_and(computed_at > '{drained:yyyy-MM-dd HH:mm:ss.ffffff}+00'))::int FROM cost_forecasts
            WHERE tenant_id IN ('{Tenant}', '{OtherTenant}') AND month = date_trunc('month', now(), 'UTC')::date
            """) == 1, "every demo service's forecast to be written from all its data", TimeSpan.FromMinutes(3));
    }

    /// <summary>A one-time login link from the admin API, as ./run.sh gets the one it prints.</summary>
    public async Task<string> LoginLinkAsync(string? tenant = null)
    {
        var response = await Stack.Http.PostAsJsonAsync("/api/cloudsentinel/console/login-links", new { tenant });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("url").GetString()!;
    }

    public async Task<string> CreateTokenAsync(string tenant, params string[] roles)
    {
        var response = await Stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>A tab in a fresh browser context (no cookies), logged in as the admin by a link.</summary>
    public async Task<ChromiumPage> AdminPageAsync(int width = 1280, int height = 900)
    {
        var page = await Browser.NewPageAsync(await Browser.NewContextAsync());
        await page.SetViewportAsync(width, height);
        await page.NavigateAsync(await LoginLinkAsync());
        await page.WaitForAsync("location.pathname === '/' && document.querySelector('main[data-ready=overview]')", "the overview after logging in by the link");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Stack is not null) await Stack.DisposeAsync();
    }
}
