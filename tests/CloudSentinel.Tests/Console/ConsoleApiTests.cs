using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CloudSentinel.Tests.Console;

/// <summary>
/// The console's read APIs and its login through the real gateway and PostgreSQL, without a browser:
/// exact week-over-week rankings and paging, what a session cookie may and may not do, and the
/// service list of a tenant with 10,000 services.
/// </summary>
public sealed class ConsoleApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime Today = DateTime.UtcNow.Date;
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync(gatewaySettings: new Dictionary<string, string?>
    {
        ["Auth:CacheFor"] = "00:00:00",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    /// <summary>One record covering a whole UTC day: 24 equal hours.</summary>
    private static string Day(string tenant, string service, DateTime day, decimal usd) =>
        $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"gcp","cost_type":"compute","period_start":"{{day:yyyy-MM-dd}}T00:00:00Z","period_end":"{{day.AddDays(1):yyyy-MM-dd}}T00:00:00Z","cost_usd":{{usd.ToString(CultureInfo.InvariantCulture)}}}""";

    [Fact]
    public async Task Services_are_ranked_by_the_last_7_full_days_against_the_7_before_and_paged_by_postgres()
    {
        var records = new List<string>();
        for (var d = 1; d <= 14; d++)
        {
            var day = Today.AddDays(-d);
            records.Add(Day("rank", "alpha", day, d <= 7 ? 48m : 24m));
            records.Add(Day("rank", "beta", day, 70m));
            if (d <= 3) records.Add(Day("rank", "gamma", day, 100m));
        }

        records.Add(Day("rank", "alpha", Today, 5m));
        await _stack.IngestAndSettleAsync([.. records]);

        var first = await GetJsonAsync("/api/cloudsentinel/services?tenant=rank&limit=2");
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(Today.AddDays(-7).ToString("yyyy-MM-dd"), first.GetProperty("last7From").GetString());
        var rows = first.GetProperty("services").EnumerateArray().ToArray();
        Assert.Equal(["beta", "alpha"], rows.Select(r => r.GetProperty("serviceName").GetString()!).ToArray());
        Assert.Equal(490m, rows[0].GetProperty("last7DaysUsd").GetDecimal());
        Assert.Equal(0d, rows[0].GetProperty("changePercent").GetDouble());
        Assert.Equal(336m, rows[1].GetProperty("last7DaysUsd").GetDecimal());
        Assert.Equal(168m, rows[1].GetProperty("previous7DaysUsd").GetDecimal());
        Assert.Equal(100d, rows[1].GetProperty("changePercent").GetDouble());
        var monthStart = new DateTime(Today.Year, Today.Month, 1);
        Assert.Equal(5m + Enumerable.Range(1, 14).Where(d => Today.AddDays(-d) >= monthStart).Sum(d => d <= 7 ? 48m : 24m), rows[1].GetProperty("monthToDateUsd").GetDecimal());

        var second = await GetJsonAsync("/api/cloudsentinel/services?tenant=rank&limit=2&offset=2");
        var gamma = Assert.Single(second.GetProperty("services").EnumerateArray());
        Assert.Equal("gamma", gamma.GetProperty("serviceName").GetString());
        Assert.Equal(300m, gamma.GetProperty("last7DaysUsd").GetDecimal());
        Assert.Equal(JsonValueKind.Null, gamma.GetProperty("changePercent").ValueKind);

        var byChange = await GetJsonAsync("/api/cloudsentinel/services?tenant=rank&sort=change");
        Assert.Equal(["alpha", "beta", "gamma"], byChange.GetProperty("services").EnumerateArray().Select(r => r.GetProperty("serviceName").GetString()!).ToArray());
        var found = await GetJsonAsync("/api/cloudsentinel/services?tenant=rank&q=ETA");
        Assert.Equal("beta", Assert.Single(found.GetProperty("services").EnumerateArray()).GetProperty("serviceName").GetString());

        // The daily rollup the ranking reads equals the buckets, to the cent and beyond.
        Assert.Equal(
            await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'rank'"),
            await _stack.QueryScalarAsync<decimal>("SELECT sum(cost_usd) FROM service_costs_service_daily WHERE tenant_id = 'rank'"));
    }

    [Fact]
    public async Task Tenant_forecast_is_withheld_and_counted_while_a_service_is_warming_up()
    {
        var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
        string Hour(string service, DateTime at, decimal usd) =>
            $$"""{"tenant":"warm","service_name":"{{service}}","cloud_provider":"gcp","cost_type":"compute","period_start":"{{at:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{usd.ToString(CultureInfo.InvariantCulture)}}}""";
        // Two services with three days of history, and one that started an hour ago: too little for a forecast.
        var records = Enumerable.Range(1, 72).SelectMany(i => new[] { Hour("alpha", hour.AddHours(-i), 2m), Hour("beta", hour.AddHours(-i), 3m) }).ToList();
        records.Add(Hour("newcomer", hour.AddHours(-1), 1m));
        await _stack.IngestAndSettleAsync([.. records]);
        Dictionary<string, string> Warm(string state) => new() { ["tenant"] = "warm", ["state"] = state };

        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_forecasts WHERE tenant_id = 'warm'") == 2, "the two forecasts");
        var warming = await GetJsonAsync("/api/cloudsentinel/summary?tenant=warm");
        Assert.Equal(JsonValueKind.Null, warming.GetProperty("forecast").ValueKind);
        Assert.Equal(2, warming.GetProperty("forecastServices").GetProperty("computed").GetInt32());
        Assert.Equal(3, warming.GetProperty("forecastServices").GetProperty("services").GetInt32());
        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_forecast_services", Warm("warming_up"), 1);
        Assert.Equal(2, Metric.Value(metrics, "cloudsentinel_forecast_services", Warm("computed")));
        Assert.Null(Metric.Value(metrics, "cloudsentinel_cost_forecast_month_usd", new() { ["tenant"] = "warm", ["service_name"] = "*" }));

        // Its history arrives: every forecast is computed, and the tenant total is their sum.
        await _stack.IngestAndSettleAsync([.. Enumerable.Range(2, 71).Select(i => Hour("newcomer", hour.AddHours(-i), 1m))]);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_forecasts WHERE tenant_id = 'warm'") == 3, "the newcomer's forecast");
        var complete = await GetJsonAsync("/api/cloudsentinel/summary?tenant=warm");
        var sum = await _stack.QueryScalarAsync<decimal>("SELECT sum(forecast_usd) FROM cost_forecasts WHERE tenant_id = 'warm'");
        Assert.Equal(sum, complete.GetProperty("forecast").GetProperty("forecastUsd").GetDecimal());
        Assert.Equal(3, complete.GetProperty("forecastServices").GetProperty("computed").GetInt32());
        metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_forecast_services", Warm("computed"), 3);
        Assert.Equal(0, Metric.Value(metrics, "cloudsentinel_forecast_services", Warm("warming_up")));
        var total = Metric.Value(metrics, "cloudsentinel_cost_forecast_month_usd", new() { ["tenant"] = "warm", ["service_name"] = "*" });
        var parts = new[] { "alpha", "beta", "newcomer" }.Sum(s => Metric.Value(metrics, "cloudsentinel_cost_forecast_month_usd", new() { ["tenant"] = "warm", ["service_name"] = s })!.Value);
        Assert.Equal(parts, total!.Value, 6);
    }

    [Fact]
    public async Task After_a_backfill_the_consoles_forecast_follows_the_grains_within_seconds_not_at_the_next_minute()
    {
        var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
        string Hour(DateTime at, decimal usd) =>
            $$"""{"tenant":"fill","service_name":"late","cloud_provider":"gcp","cost_type":"compute","period_start":"{{at:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{usd.ToString(CultureInfo.InvariantCulture)}}}""";
        await _stack.IngestAndSettleAsync([.. Enumerable.Range(1, 30).Select(i => Hour(hour.AddHours(-i), 1m))]);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_forecasts WHERE tenant_id = 'fill'") == 1, "the first forecast");
        var first = await _stack.QueryScalarAsync<decimal>("SELECT forecast_usd FROM cost_forecasts WHERE tenant_id = 'fill'");

        // The ten days before arrive at 10 USD an hour, well within the minute the row was written in:
        // the console's forecast (the row) and the gauge (the grain's own) agree again within seconds.
        await _stack.IngestAndSettleAsync([.. Enumerable.Range(31, 240).Select(i => Hour(hour.AddHours(-i), 10m))]);
        var total = new Dictionary<string, string> { ["tenant"] = "fill", ["service_name"] = "*" };
        decimal console = 0m;
        double? gauge = null;
        await Eventually.Async(async () =>
        {
            var summary = await GetJsonAsync("/api/cloudsentinel/summary?tenant=fill");
            console = summary.GetProperty("forecast").GetProperty("forecastUsd").GetDecimal();
            gauge = Metric.Value(await _stack.ScrapeAsync(), "cloudsentinel_cost_forecast_month_usd", total);
            return console != first && gauge is { } g && Math.Abs((double)console - g) <= 0.01 * g;
        }, "the console's forecast to follow the backfill", TimeSpan.FromSeconds(40));
        output.WriteLine($"forecast {first} before the backfill, {console} after it (gauge {gauge})");
    }

    [Fact]
    public async Task A_forecast_below_the_month_to_date_is_not_shown_as_the_forecast()
    {
        var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
        await _stack.IngestAndSettleAsync([.. Enumerable.Range(1, 30).Select(i =>
            $$"""{"tenant":"stale","service_name":"late","cloud_provider":"gcp","cost_type":"compute","period_start":"{{hour.AddHours(-i):yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":2}""")]);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_forecasts WHERE tenant_id = 'stale'") == 1, "the forecast");
        var computed = await GetJsonAsync("/api/cloudsentinel/summary?tenant=stale");
        Assert.Equal(1, computed.GetProperty("forecastServices").GetProperty("computed").GetInt32());
        Assert.True(computed.GetProperty("forecast").GetProperty("forecastUsd").GetDecimal() >= computed.GetProperty("monthToDateUsd").GetDecimal());

        // A row written before the rest of the month's data arrived: 1 USD against a month to date of more.
        await _stack.QueryScalarAsync<long>("WITH u AS (UPDATE cost_forecasts SET forecast_usd = 1, lower_usd = 0, upper_usd = 2 WHERE tenant_id = 'stale' RETURNING 1) SELECT count(*) FROM u");
        var stale = await GetJsonAsync("/api/cloudsentinel/summary?tenant=stale");
        Assert.True(stale.GetProperty("monthToDateUsd").GetDecimal() > 1m);
        Assert.Equal(JsonValueKind.Null, stale.GetProperty("forecast").ValueKind);
        Assert.Equal(0, stale.GetProperty("forecastServices").GetProperty("computed").GetInt32());
        Assert.Equal(1, stale.GetProperty("forecastServices").GetProperty("services").GetInt32());
        var row = (await GetJsonAsync("/api/cloudsentinel/services?tenant=stale")).GetProperty("services")[0];
        Assert.Equal(JsonValueKind.Null, row.GetProperty("forecastUsd").ValueKind);
    }

    [Theory]
    [InlineData("/api/cloudsentinel/services?tenant=rank&sort=cost;drop", "sort")]
    [InlineData("/api/cloudsentinel/services?tenant=rank&limit=0", "limit")]
    [InlineData("/api/cloudsentinel/services?tenant=rank&limit=201", "limit")]
    [InlineData("/api/cloudsentinel/services?tenant=rank&offset=-1", "offset")]
    [InlineData("/api/cloudsentinel/summary?tenant=Rank", "tenant")]
    [InlineData("/api/cloudsentinel/service?tenant=rank", "service")]
    public async Task Console_apis_refuse_bad_parameters_naming_the_field(string path, string field)
    {
        var response = await _stack.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_session_cookie_reads_its_tenant_only_and_never_writes_or_manages()
    {
        await _stack.IngestAndSettleAsync(Day("sesa", "api", Today.AddDays(-1), 24m), Day("sesb", "api", Today.AddDays(-1), 48m));
        var link = await LinkAsync(new { tenant = "sesa" });
        using var browser = NoRedirects();
        var login = await browser.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie);
        var cookie = setCookie.Split(';')[0];

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri(link).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/summary?tenant=sesa", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(browser, HttpMethod.Get, "/", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/summary?tenant=sesb", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/budgets/sesb", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(browser, HttpMethod.Post, "/api/cloudsentinel/ingest", cookie, "[" + Day("sesa", "api", Today, 1m) + "]")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(browser, HttpMethod.Put, "/api/cloudsentinel/budgets/sesa/api", cookie, """{"amount_usd":5}""")).StatusCode);

        // An admin session reads every tenant but manages nothing: tokens and login links need the admin token itself.
        var admin = (await browser.GetAsync(new Uri(await LinkAsync(new { })).PathAndQuery)).Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        Assert.Equal(HttpStatusCode.OK, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/summary?tenant=sesb", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/tokens", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(browser, HttpMethod.Post, "/api/cloudsentinel/console/login-links", admin, "{}")).StatusCode);

        // Logging out ends the session on the server, not just in the browser.
        var logout = await Send(browser, HttpMethod.Post, "/logout", cookie);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/summary?tenant=sesa", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Send(browser, HttpMethod.Get, "/", cookie)).StatusCode);
    }

    [Fact]
    public async Task A_pasted_tenant_token_opens_a_session_that_ends_when_the_token_is_revoked_and_foreign_forms_are_refused()
    {
        var created = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant = "sesc", roles = new[] { "read" } });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var (id, token) = (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("token").GetString()!);
        var ingestOnly = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/tokens", new { tenant = "sesc", roles = new[] { "ingest" } });
        var ingestToken = JsonDocument.Parse(await ingestOnly.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        using var browser = NoRedirects();

        var foreign = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("token", token)]) };
        foreign.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", "cst_0123456789abcdef_nope")]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", ingestToken)]))).StatusCode);

        var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", token)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var tenants = JsonDocument.Parse(await (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/tenants", cookie)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["sesc"], tenants.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()!).ToArray());

        Assert.Equal(HttpStatusCode.NoContent, (await _stack.Http.DeleteAsync($"/api/cloudsentinel/tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(browser, HttpMethod.Get, "/api/cloudsentinel/tenants", cookie)).StatusCode);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_that_allows_only_this_gateway()
    {
        using var anonymous = _stack.HttpWith(null);
        foreach (var path in new[] { "/login", "/console/console.js", "/console/console.css" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", policy);
            Assert.Contains("script-src 'self'", policy);
            Assert.Contains("connect-src 'self'", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }

        // The scripts name no other host: the SVG namespace is an identifier, not an address they load.
        foreach (var name in new[] { "dom.js", "charts.js", "pages.js", "console.js" })
        {
            var script = (await anonymous.GetStringAsync($"/console/{name}")).Replace("'http://www.w3.org/2000/svg'", "");
            Assert.DoesNotContain("http://", script);
            Assert.DoesNotContain("https://", script);
        }
    }

    [Fact]
    public async Task Ten_thousand_services_are_listed_a_page_at_a_time_within_a_second()
    {
        // 10,000 services with a cost on each of the last 21 days, written straight into the buckets (the triggers fill both rollups).
        await _stack.QueryScalarAsync<long>($"""
            INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, cost_type, cost_usd)
            SELECT 'big', d, 'svc-' || lpad(s::text, 5, '0'), 'aws', 'compute', s / 100.0 + extract(day FROM d)
            FROM generate_series(1, 10000) s, generate_series(timestamptz '{Today:yyyy-MM-dd}' - interval '21 days', timestamptz '{Today:yyyy-MM-dd}' - interval '1 day', interval '1 day') d
            """);
        await _stack.QueryScalarAsync<long>("ANALYZE service_costs_service_daily");
        await GetJsonAsync("/api/cloudsentinel/services?tenant=big&limit=50");

        foreach (var path in new[]
                 {
                     "/api/cloudsentinel/services?tenant=big&limit=50", "/api/cloudsentinel/services?tenant=big&limit=50&offset=9950&sort=change",
                     "/api/cloudsentinel/services?tenant=big&q=svc-0999", "/api/cloudsentinel/summary?tenant=big",
                 })
        {
            var watch = Stopwatch.StartNew();
            var page = await GetJsonAsync(path);
            output.WriteLine($"{path}: {watch.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"{path} took {watch.Elapsed.TotalMilliseconds:0} ms");
            if (path.Contains("offset=9950")) Assert.Equal(50, page.GetProperty("services").GetArrayLength());
            if (path.Contains("q=")) Assert.Equal(10, page.GetProperty("total").GetInt32());
        }

        var top = (await GetJsonAsync("/api/cloudsentinel/services?tenant=big&limit=1")).GetProperty("services")[0];
        Assert.Equal("svc-10000", top.GetProperty("serviceName").GetString());
        Assert.Equal(10000, (await GetJsonAsync("/api/cloudsentinel/services?tenant=big&limit=1")).GetProperty("total").GetInt32());
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _stack.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> LinkAsync(object body)
    {
        var response = await _stack.Http.PostAsJsonAsync("/api/cloudsentinel/console/login-links", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!;
    }

    /// <summary>A client that keeps no cookies and follows no redirects: the test sets the Cookie header itself, as a browser would.</summary>
    private HttpClient NoRedirects()
    {
        var address = _stack.HttpWith(null).BaseAddress!;
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string cookie, string? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }
}
