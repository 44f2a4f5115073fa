using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;
using Npgsql;

namespace CloudSentinel.Tests.Console;

/// <summary>
/// The console in a real headless chromium against a real gateway, silo and PostgreSQL filled by the
/// demo feed: the login link, the overview's money compared with the JSON API and with PostgreSQL,
/// the service and cluster pages, a tenant that cannot see another, and live updates. Each page is
/// saved as a screenshot under TestResults/screenshots.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleDemo demo) : IClassFixture<ConsoleDemo>
{
    private const string Tenant = ConsoleDemo.Tenant;

    [Fact]
    public async Task Login_link_sets_an_http_only_strict_session_cookie_drops_the_code_and_works_once()
    {
        var link = await demo.LoginLinkAsync();
        var page = await demo.Browser.NewPageAsync(await demo.Browser.NewContextAsync());
        await page.NavigateAsync(link);
        await page.WaitForAsync("document.querySelector('main[data-ready=overview]')", "the overview after the login link");

        var address = await page.TextAsync("location.href");
        Assert.DoesNotContain("code=", address);
        Assert.StartsWith(demo.BaseUrl + "/#/t/", address);
        var cookie = Assert.Single(await page.CookiesAsync(demo.BaseUrl + "/"), c => c.GetProperty("name").GetString() == "cs_session");
        Assert.True(cookie.GetProperty("httpOnly").GetBoolean());
        Assert.Equal("Strict", cookie.GetProperty("sameSite").GetString());
        Assert.Equal("/", cookie.GetProperty("path").GetString());
        Assert.False(cookie.GetProperty("secure").GetBoolean());
        Assert.DoesNotContain("cs_session", await page.TextAsync("document.cookie"));

        var again = await demo.Browser.NewPageAsync(await demo.Browser.NewContextAsync());
        await again.NavigateAsync(link);
        await again.WaitForAsync("document.querySelector('form[action=\"/login\"]')", "the login form for a used link");
        Assert.Contains("expired or was already used", await again.TextAsync("document.body.innerText"));
        await again.NavigateAsync(demo.BaseUrl + "/");
        await again.WaitForAsync("location.pathname === '/login'", "/ without a session to send the browser to /login");
        await again.ScreenshotAsync(ConsoleDemo.ScreenshotPath("login.png"));
        Assert.True(page.Errors.Count == 0, string.Join("\n", page.Errors));
    }

    [Fact]
    public async Task Overview_shows_the_demo_tenants_money_as_the_api_and_postgres_hold_it()
    {
        var page = await demo.AdminPageAsync();
        await page.NavigateAsync($"{demo.BaseUrl}/#/t/{Tenant}");
        await page.WaitForAsync("document.querySelector('#kpi-mtd') && document.querySelectorAll('#services .service-row').length > 0", "the overview of acme");

        await Eventually.Async(async () =>
        {
            using var summary = JsonDocument.Parse(await demo.Stack.Http.GetStringAsync($"/api/cloudsentinel/summary?tenant={Tenant}"));
            var root = summary.RootElement;
            var monthToDate = await Sql<decimal>("""SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme' AND "timestamp" >= date_trunc('month', now(), 'UTC') AND "timestamp" < date_trunc('month', now(), 'UTC') + interval '1 month'""");
            Assert.Equal(monthToDate, root.GetProperty("monthToDateUsd").GetDecimal());
            Assert.Equal(Cents(monthToDate), Money(await page.TextAsync("document.querySelector('#kpi-mtd .value').textContent")));

            var forecast = await Sql<decimal>("""SELECT sum(forecast_usd) FROM cost_forecasts WHERE tenant_id = 'acme' AND service_name <> '*' AND month = date_trunc('month', now(), 'UTC')::date""");
            Assert.Equal(forecast, root.GetProperty("forecast").GetProperty("forecastUsd").GetDecimal());
            Assert.Equal(Cents(forecast), Money(await page.TextAsync("document.querySelector('#kpi-forecast .value').textContent")));
            var lower = await Sql<decimal>("""SELECT sum(lower_usd) FROM cost_forecasts WHERE tenant_id = 'acme' AND service_name <> '*' AND month = date_trunc('month', now(), 'UTC')::date""");
            Assert.Contains(UsdText(lower), await page.TextAsync("document.querySelector('#kpi-forecast .sub').textContent"));

            var budget = await Sql<decimal>("SELECT monthly_budget_usd FROM budgets WHERE tenant_id = 'acme' AND service_name = '*'");
            using var budgetApi = JsonDocument.Parse(await demo.Stack.Http.GetStringAsync($"/api/cloudsentinel/budgets/{Tenant}/*"));
            Assert.Equal(budget, budgetApi.RootElement.GetProperty("amountUsd").GetDecimal());
            Assert.Equal(Cents(budget), Money(await page.TextAsync("document.querySelector('#kpi-budget .value').textContent")));
            return true;
        }, "the overview's month to date, forecast and budget to equal the API's and PostgreSQL's");

        // Top services, ranked by the last 7 full days, straight from the buckets (not from the rollup the API reads).
        // The demo's 15 days hold both weeks, so every change is a number: (last 7 − the 7 before) / the 7 before.
        var expectedTop = await demo.Stack.QueryRowsAsync("""
            SELECT service_name,
                   sum(cost_usd) FILTER (WHERE "timestamp" >= current_date - 7 AND "timestamp" < current_date) AS last7,
                   sum(cost_usd) FILTER (WHERE "timestamp" >= current_date - 14 AND "timestamp" < current_date - 7) AS prev7
            FROM service_costs WHERE tenant_id = 'acme' GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1 LIMIT 10
            """);
        var shownTop = (await page.EvaluateAsync(
            "[...document.querySelectorAll('#services .service-row')].map(r => [r.dataset.service, r.querySelector('.last7').textContent, r.querySelector('.change').textContent])"))
            .EnumerateArray().ToArray();
        Assert.Equal(expectedTop.Select(r => (string)r[0]).ToArray(), shownTop.Select(r => r[0].GetString()!).ToArray());
        Assert.Equal(expectedTop.Select(r => Cents((decimal)r[1])).ToArray(), shownTop.Select(r => Money(r[1].GetString()!)).ToArray());
        for (var i = 0; i < expectedTop.Count; i++)
        {
            var change = ((decimal)expectedTop[i][1] - (decimal)expectedTop[i][2]) / (decimal)expectedTop[i][2] * 100;
            var shownChange = decimal.Parse(shownTop[i][2].GetString()!.TrimEnd('%'), NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(change - shownChange) <= 0.05m, $"{expectedTop[i][0]}: change {change:0.###}% shown as {shownChange}%");
        }

        // The largest anomaly of the last 24 hours, with its explanation.
        var anomaly = (await demo.Stack.QueryRowsAsync("""
            SELECT service_name, cost_usd, expected_cost, zscore FROM cost_anomalies
            WHERE tenant_id = 'acme' AND "timestamp" >= date_trunc('hour', now()) - interval '23 hours'
            ORDER BY abs(cost_usd - expected_cost) DESC, "timestamp" DESC, service_name LIMIT 1
            """)).Single();
        var shown = await page.EvaluateAsync("""
            (() => { const r = document.querySelector('#anomalies .anomaly-row');
                     return [r.children[1].textContent, r.querySelector('.actual').textContent, r.querySelector('.expected').textContent, r.querySelector('.zscore').textContent]; })()
            """);
        Assert.Equal((string)anomaly[0], shown[0].GetString());
        Assert.Equal(Cents((decimal)anomaly[1]), Money(shown[1].GetString()!));
        Assert.Equal(Cents((decimal)anomaly[2]), Money(shown[2].GetString()!));
        Assert.Equal(((double)anomaly[3]).ToString("0.00", CultureInfo.InvariantCulture), shown[3].GetString());

        Assert.Equal(24, (await page.EvaluateAsync("document.querySelectorAll('#last24-chart rect').length")).GetInt32());
        var hours = await demo.Stack.QueryRowsAsync("""
            SELECT h, coalesce((SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme' AND "timestamp" = h), 0)
            FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') h ORDER BY h
            """);
        var bars = (await page.EvaluateAsync("[...document.querySelectorAll('#last24-chart rect')].map(r => Number(r.dataset.usd))")).EnumerateArray().Select(x => x.GetDecimal()).ToArray();
        Assert.Equal(hours.Select(h => Cents((decimal)h[1])).ToArray(), bars.Select(Cents).ToArray());
        Assert.Equal(new[] { "aws", "azure", "gcp" }, (await page.EvaluateAsync("[...document.querySelectorAll('#freshness th[scope=row]')].map(x => x.textContent)")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal(new[] { ConsoleDemo.Tenant, ConsoleDemo.OtherTenant }, (await page.EvaluateAsync("[...document.querySelectorAll('#tenant-picker option')].map(x => x.value)")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        // The line that says how far applying is behind what was acknowledged (the same for every tenant).
        Assert.Matches(@"^Applying is \d+\.\d s behind acknowledged data \(bound 30 s\); [\d,]+ messages waiting \(cap 200,000\), draining [\d,]+/s\.$",
            await page.TextAsync("document.querySelector('#ingest-status').textContent"));
        await page.ScreenshotAsync(ConsoleDemo.ScreenshotPath("overview.png"));

        // Every service, a page at a time, searched by PostgreSQL.
        await page.EvaluateAsync("document.querySelector('#top-card p a').click()");
        await page.WaitForAsync("document.querySelector('main[data-ready=services]') && document.querySelector('#service-search')", "the list of all services");
        var services = await Sql<long>("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'acme'");
        Assert.Equal(services, (await page.EvaluateAsync("document.querySelectorAll('#services .service-row').length")).GetInt64());
        await page.EvaluateAsync("document.getElementById('q').value = 'api'; document.getElementById('service-search').requestSubmit()");
        await page.WaitForAsync("location.hash.includes('q=api') && document.querySelector('main[data-ready=services]')", "the search for 'api'");
        var matching = await Sql<long>("SELECT count(DISTINCT service_name) FROM service_costs WHERE tenant_id = 'acme' AND service_name LIKE '%api%'");
        await page.WaitForAsync($"document.querySelectorAll('#services .service-row').length === {matching}", $"{matching} services matching 'api'");
        await page.NavigateAsync($"{demo.BaseUrl}/#/t/{Tenant}");
        await page.WaitForAsync("document.querySelector('main[data-ready=overview]')", "the overview again");

        await page.SetViewportAsync(400, 900);
        await page.WaitForAsync("document.documentElement.scrollWidth <= window.innerWidth", "the overview to fit a 400 px window without sideways scrolling");
        await page.ScreenshotAsync(ConsoleDemo.ScreenshotPath("overview-narrow.png"));
        Assert.True(page.Errors.Count == 0, string.Join("\n", page.Errors));
    }

    [Fact]
    public async Task Service_page_charts_35_days_with_expected_line_and_anomalies_and_the_cluster_page_splits_an_hour()
    {
        var page = await demo.AdminPageAsync();
        var service = (string)(await demo.Stack.QueryRowsAsync("""
            SELECT service_name FROM cost_anomalies WHERE tenant_id = 'acme' AND service_name <> 'untagged'
            AND "timestamp" >= date_trunc('hour', now()) - interval '23 hours' ORDER BY abs(cost_usd - expected_cost) DESC LIMIT 1
            """)).Single()[0];
        await page.EvaluateAsync($"document.querySelector('#anomalies a[href$=\"/service/{service}\"]').click()");
        await page.WaitForAsync($"location.hash.endsWith('/service/{service}') && document.querySelector('main[data-ready=service]')", "the service page after clicking its anomaly");

        var monthToDate = await Sql<decimal>($"""SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme' AND service_name = '{service}' AND "timestamp" >= date_trunc('month', now(), 'UTC') AND "timestamp" < date_trunc('month', now(), 'UTC') + interval '1 month'""");
        Assert.Equal(Cents(monthToDate), Money(await page.TextAsync("document.querySelector('#kpi-mtd .value').textContent")));
        var anomalies = await Sql<long>($"""SELECT count(*) FROM cost_anomalies WHERE tenant_id = 'acme' AND service_name = '{service}' AND "timestamp" > date_trunc('hour', now()) - interval '35 days'""");
        Assert.Equal(anomalies, (await page.EvaluateAsync("document.querySelectorAll('#service-chart .anomaly-mark').length")).GetInt64());
        Assert.True((await page.EvaluateAsync("document.querySelector('#service-chart .actual-line').getAttribute('d').split('L').length")).GetInt32() > 24 * 7);
        Assert.True((await page.EvaluateAsync("document.querySelector('#service-chart .expected-line').getAttribute('d').length")).GetInt32() > 0);
        var types = await demo.Stack.QueryRowsAsync($"""SELECT cost_type FROM service_costs WHERE tenant_id = 'acme' AND service_name = '{service}' GROUP BY 1 ORDER BY sum(cost_usd) DESC, 1""");
        Assert.Equal(types.Select(t => (string)t[0]).ToArray(), (await page.EvaluateAsync("[...document.querySelectorAll('#by-type li')].map(li => li.dataset.label)")).EnumerateArray().Select(x => x.GetString()!).ToArray());
        await page.ScreenshotAsync(ConsoleDemo.ScreenshotPath("service.png"));

        // The cluster page: the latest ended hour of acme's EKS cluster, split by service and pod, with idle.
        await page.NavigateAsync($"{demo.BaseUrl}/#/t/{Tenant}/cluster/acme-eks");
        await page.WaitForAsync("document.querySelector('main[data-ready=cluster]') && document.querySelector('#split')", "the cluster page");
        var hour = DateTime.Parse(await page.TextAsync("document.querySelector('#cluster-hour').textContent").ContinueWith(t => t.Result.Replace(" UTC", "Z")), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal);
        var allocated = await Sql<decimal>($"""SELECT sum(allocated_cost_usd) FROM shared_infrastructure_allocation WHERE tenant_id = 'acme' AND cluster_name = 'acme-eks' AND "timestamp" = '{hour:yyyy-MM-dd HH:mm:ss}+00'""");
        using var api = JsonDocument.Parse(await demo.Stack.Http.GetStringAsync($"/api/cloudsentinel/allocation?tenant={Tenant}&cluster=acme-eks&from={hour:yyyy-MM-ddTHH:mm:ssZ}"));
        var total = api.RootElement.GetProperty("hours")[0].GetProperty("totals").GetProperty("totalUsd").GetDecimal();
        Assert.Equal(total, allocated);
        Assert.Equal(Cents(total), Money(await page.TextAsync("document.querySelector('#kpi-cluster-total .value').textContent")));
        var idle = await Sql<decimal>($"""SELECT coalesce(sum(allocated_cost_usd), 0) FROM shared_infrastructure_allocation WHERE tenant_id = 'acme' AND cluster_name = 'acme-eks' AND "timestamp" = '{hour:yyyy-MM-dd HH:mm:ss}+00' AND service_name = '__idle__'""");
        Assert.Equal(Cents(idle), Money(await page.TextAsync("document.querySelector('#kpi-cluster-idle .value').textContent")));
        var pods = await Sql<long>($"""SELECT count(*) FROM pod_costs WHERE tenant_id = 'acme' AND cluster_name = 'acme-eks' AND "timestamp" = '{hour:yyyy-MM-dd HH:mm:ss}+00'""");
        Assert.Equal(pods, (await page.EvaluateAsync("document.querySelectorAll('#pods tbody tr').length")).GetInt64());
        Assert.True((await page.EvaluateAsync("document.querySelectorAll('#inputs tbody tr').length")).GetInt32() > 0);
        await page.ScreenshotAsync(ConsoleDemo.ScreenshotPath("cluster.png"));
        Assert.True(page.Errors.Count == 0, string.Join("\n", page.Errors));
    }

    [Fact]
    public async Task A_tenant_token_pasted_into_the_login_form_sees_its_tenant_and_not_another()
    {
        var token = await demo.CreateTokenAsync(ConsoleDemo.OtherTenant, "read");
        var page = await demo.Browser.NewPageAsync(await demo.Browser.NewContextAsync());
        await page.SetViewportAsync(1280, 900);
        await page.NavigateAsync(demo.BaseUrl + "/");
        await page.WaitForAsync("location.pathname === '/login' && document.getElementById('token')", "the login form");
        await page.EvaluateAsync($"document.getElementById('token').value = {JsonSerializer.Serialize(token)}; document.querySelector('form[action=\"/login\"]').requestSubmit()");
        await page.WaitForAsync("document.querySelector('main[data-ready=overview]')", "the overview after pasting a tenant token");

        Assert.EndsWith($"/#/t/{ConsoleDemo.OtherTenant}", await page.TextAsync("location.href"));
        Assert.Equal($"Tenant: {ConsoleDemo.OtherTenant}", await page.TextAsync("document.getElementById('tenant-name').textContent"));
        Assert.True((await page.EvaluateAsync("document.getElementById('tenant-picker').hidden")).GetBoolean());
        var globexMonth = await Sql<decimal>("""SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'globex' AND "timestamp" >= date_trunc('month', now(), 'UTC') AND "timestamp" < date_trunc('month', now(), 'UTC') + interval '1 month'""");
        Assert.Equal(Cents(globexMonth), Money(await page.TextAsync("document.querySelector('#kpi-mtd .value').textContent")));
        await page.ScreenshotAsync(ConsoleDemo.ScreenshotPath("tenant-globex.png"));

        await page.EvaluateAsync($"location.hash = '#/t/{Tenant}'");
        await page.WaitForAsync("document.querySelector('main[data-ready=error]')", "acme's overview to be refused");
        Assert.Contains("forbidden", await page.TextAsync("document.getElementById('page-error').textContent"));
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#kpi-mtd').length")).GetInt32());
        foreach (var path in new[] { "summary", "services", "clusters" })
        {
            Assert.Equal(403, (await page.EvaluateAsync($"fetch('/api/cloudsentinel/{path}?tenant={Tenant}').then(r => r.status)")).GetInt32());
        }

        Assert.Equal(403, (await page.EvaluateAsync($"fetch('/api/cloudsentinel/service?tenant={Tenant}&service=untagged').then(r => r.status)")).GetInt32());
        Assert.Equal(403, (await page.EvaluateAsync($"fetch('/api/cloudsentinel/anomalies?tenant={Tenant}').then(r => r.status)")).GetInt32());
        // The session reads; it writes nothing, not even its own tenant's data.
        Assert.Equal(401, (await page.EvaluateAsync(
            "fetch('/api/cloudsentinel/ingest', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '[]'}).then(r => r.status)")).GetInt32());
        Assert.Equal(new[] { "globex" }, (await page.EvaluateAsync("fetch('/api/cloudsentinel/tenants').then(r => r.json()).then(j => j.tenants)")).EnumerateArray().Select(x => x.GetString()!).ToArray());
    }

    [Fact]
    public async Task New_data_reaches_the_open_overview_within_seconds_without_a_reload()
    {
        var page = await demo.AdminPageAsync();
        await page.NavigateAsync($"{demo.BaseUrl}/#/t/{Tenant}");
        await page.WaitForAsync("document.querySelector('#kpi-mtd')", "the overview");
        await page.EvaluateAsync("window.__notReloaded = true");
        var before = Money(await page.TextAsync("document.querySelector('#kpi-mtd .value').textContent"));

        var watch = Stopwatch.StartNew();
        var hour = DateTime.UtcNow.AddMinutes(-DateTime.UtcNow.Minute).AddSeconds(-DateTime.UtcNow.Second);
        await demo.Stack.IngestAndSettleAsync($$"""{"tenant":"acme","service_name":"console-live","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-ddTHH:00:00Z}}","cost_usd":1234.56}""");
        await page.WaitForAsync($"document.querySelector('#kpi-mtd .value').dataset.usd > {(before + 1234m).ToString(CultureInfo.InvariantCulture)}",
            "the month to date to grow by the new cost", TimeSpan.FromSeconds(15));
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.True((await page.EvaluateAsync("window.__notReloaded === true")).GetBoolean(), "the page reloaded");
        Assert.True(seconds < 12, $"the new cost took {seconds:0.0} s to show");
        var monthToDate = await Sql<decimal>("""SELECT sum(cost_usd) FROM service_costs WHERE tenant_id = 'acme' AND "timestamp" >= date_trunc('month', now(), 'UTC') AND "timestamp" < date_trunc('month', now(), 'UTC') + interval '1 month'""");
        await page.WaitForAsync($"document.querySelector('#kpi-mtd .value').textContent === {JsonSerializer.Serialize(UsdText(monthToDate))}",
            "the month to date to equal PostgreSQL's");
    }

    private static decimal Cents(decimal usd) => Math.Round(usd, 2, MidpointRounding.AwayFromZero);

    /// <summary>How the console writes an amount (Intl.NumberFormat en-US, USD): "$1,234.56", "-$0.50".</summary>
    private static string UsdText(decimal usd) => (usd < 0 ? "-$" : "$") + Math.Abs(Cents(usd)).ToString("#,##0.00", CultureInfo.InvariantCulture);

    private static decimal Money(string text) =>
        decimal.Parse(text.Replace("$", "").Replace(",", "").Replace("−", "-"), NumberStyles.Number, CultureInfo.InvariantCulture);

    private Task<T> Sql<T>(string sql) => demo.Stack.QueryScalarAsync<T>(sql);
}
