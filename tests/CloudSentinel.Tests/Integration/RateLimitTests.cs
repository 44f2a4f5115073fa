using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>Per-tenant ingest rate limits through the real gateway: 429 with Retry-After, nothing applied, the admin exempt, one limit across gateways.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private static readonly DateTime Hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-2);
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?>
    {
        ["RateLimits:RequestsPerSecond"] = "1",
        ["RateLimits:Burst"] = "2",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static StringContent Body(string tenant, int n) => new(
        $$"""[{"tenant":"{{tenant}}","service_name":"svc-{{n}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":1}]""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_tenant_over_its_rate_gets_429_with_retry_after_and_nothing_applied_while_the_admin_is_not_limited()
    {
        var created = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant = "busy", roles = new[] { "ingest" } });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        using var tenant = _stack.HttpWith(json.RootElement.GetProperty("token").GetString());

        var answers = new List<HttpResponseMessage>();
        for (var n = 0; n < 6; n++) answers.Add(await tenant.PostAsync("/api/cloudsentinel/ingest", Body("busy", n)));

        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(accepted, 2, 3);
        Assert.Equal(6 - accepted, limited.Count);
        Assert.All(limited, a => Assert.True(int.Parse(a.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1));
        Assert.Contains("over its ingest rate", await limited[0].Content.ReadAsStringAsync());

        for (var n = 0; n < 6; n++) Assert.Equal(HttpStatusCode.OK, (await _stack.Http.PostAsync("/api/cloudsentinel/ingest", Body("admin-sent", n))).StatusCode);

        await _stack.WaitForSettledAsync();
        Assert.Equal(accepted, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'busy'"));
        Assert.Equal(6, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'admin-sent'"));
    }

    [Fact]
    public async Task A_tenant_gets_its_rate_once_across_two_gateways_not_once_per_gateway()
    {
        var created = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant = "spread", roles = new[] { "ingest" } });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString();
        var second = await _stack.StartAnotherGatewayAsync();
        using var first = _stack.HttpWith(token);
        using var other = CloudSentinelStack.HttpWith(second, token);

        // Six requests within a second, alternating gateways: a per-process limit (burst 2 each) would take four.
        var answers = new List<HttpResponseMessage>();
        for (var n = 0; n < 6; n++) answers.Add(await (n % 2 == 0 ? first : other).PostAsync("/api/cloudsentinel/ingest", Body("spread", n)));

        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
        Assert.InRange(accepted, 2, 3);
        Assert.Equal(6 - accepted, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Contains(answers.Where((_, n) => n % 2 == 1), a => a.StatusCode == HttpStatusCode.TooManyRequests && a.Headers.RetryAfter is not null);
        await _stack.WaitForSettledAsync();
        Assert.Equal(accepted, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'spread'"));
    }
}
