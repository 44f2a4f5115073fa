using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>Anomalies, budgets and forecasts through the real HTTP path, grains and PostgreSQL.</summary>
public sealed class AnomalyBudgetForecastTests : IAsyncLifetime
{
    private static readonly DateTime CurrentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
    private static readonly DateTime Spike = CurrentHour.AddHours(-1);
    private const int HistoryHours = 240;
    private CloudSentinelStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Rec(DateTime hour, decimal cost, string service = "flat") =>
        $$"""{"tenant":"acme","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""";

    private async Task IngestAsync(IEnumerable<string> records)
    {
        var response = await _stack.PostAsync("/api/cloudsentinel/ingest", "[" + string.Join(",", records) + "]");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Ten days at 2.00 USD/hour, then the hour that just ended at <paramref name="spike"/> USD (docs/anomalies.md, example 1).</summary>
    private Task IngestHistoryAndSpike(decimal spike) =>
        IngestAsync(Enumerable.Range(1, HistoryHours).Select(i => Rec(Spike.AddHours(-i), 2.00m)).Append(Rec(Spike, spike)));

    private Task<long> AnomalyRows() => _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_anomalies");

    [Fact]
    public async Task Spike_writes_one_anomaly_row_a_restatement_updates_it_and_a_normal_restatement_clears_it()
    {
        await IngestHistoryAndSpike(4.10m);
        await Eventually.Async(async () => await AnomalyRows() == 1, "the anomaly row");

        // The seed's anomaly panel query, unchanged.
        await using (var connection = new Npgsql.NpgsqlConnection(_stack.Database!.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT timestamp, service_name, cost_usd, expected_cost, zscore FROM cost_anomalies WHERE zscore > 3 ORDER BY timestamp DESC LIMIT 20", connection);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(Spike, DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
            Assert.Equal("flat", reader.GetString(1));
            Assert.Equal(4.10m, reader.GetDecimal(2));
            Assert.Equal(2.00m, reader.GetDecimal(3));
            Assert.Equal(7.0, reader.GetDouble(4), 9);
            Assert.False(await reader.ReadAsync());
        }

        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_cost_anomaly_zscore", new() { ["tenant"] = "acme", ["service_name"] = "flat" }, 7.0);
        Assert.Equal(2.0, Metric.Value(metrics, "cloudsentinel_cost_expected_usd", new() { ["tenant"] = "acme", ["service_name"] = "flat" }));

        var api = await _stack.Http.GetStringAsync($"/api/cloudsentinel/anomalies?tenant=acme&from={Spike.AddDays(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}");
        using (var json = JsonDocument.Parse(api))
        {
            var row = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("up", row.GetProperty("direction").GetString());
            Assert.Contains("anomaly", row.GetProperty("reason").GetString());
        }

        // Restated higher: the same row is updated, not a second one added.
        await IngestAsync([Rec(Spike, 4.70m)]);
        await Eventually.Async(async () => await _stack.QueryScalarAsync<decimal>("SELECT cost_usd FROM cost_anomalies") == 4.70m, "the restated anomaly");
        Assert.Equal(1, await AnomalyRows());
        Assert.Equal(9.0, await _stack.QueryScalarAsync<double>("SELECT zscore FROM cost_anomalies"), 9);

        // Restated to a normal amount: the anomaly is gone.
        await IngestAsync([Rec(Spike, 2.05m)]);
        await Eventually.Async(async () => await AnomalyRows() == 0, "the cleared anomaly");
    }

    [Fact]
    public async Task Spike_in_a_backfill_days_ago_is_judged_in_the_background()
    {
        var old = Spike.AddHours(-72);
        await IngestAsync(Enumerable.Range(0, HistoryHours + 72).Select(i => Rec(Spike.AddHours(-i), Spike.AddHours(-i) == old ? 4.10m : 2.00m)));

        await Eventually.Async(async () => await AnomalyRows() == 1, "the old hour's anomaly row");
        Assert.Equal(old, DateTime.SpecifyKind(await _stack.QueryScalarAsync<DateTime>("SELECT \"timestamp\" FROM cost_anomalies"), DateTimeKind.Utc));
        Assert.Equal(7.0, await _stack.QueryScalarAsync<double>("SELECT zscore FROM cost_anomalies"), 9);
    }

    [Fact]
    public async Task Budget_is_stored_exported_next_to_month_to_date_and_removed()
    {
        await IngestHistoryAndSpike(2.00m);
        var put = await _stack.Http.PutAsync("/api/cloudsentinel/budgets/acme/flat", Json("""{"amount_usd": 1000, "currency": "USD"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var total = await _stack.Http.PutAsync("/api/cloudsentinel/budgets/acme/*", Json("""{"amount_usd": 5000}"""));
        Assert.True(total.StatusCode == HttpStatusCode.OK, await total.Content.ReadAsStringAsync());

        Assert.Equal(1000m, await _stack.QueryScalarAsync<decimal>("SELECT monthly_budget_usd FROM budgets WHERE tenant_id = 'acme' AND service_name = 'flat'"));
        var metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_service_budget_usd", new() { ["tenant"] = "acme", ["service_name"] = "flat" }, 1000);
        metrics = await Metric.WaitForAsync(_stack, "cloudsentinel_service_budget_usd", new() { ["tenant"] = "acme", ["service_name"] = "*" }, 5000);
        var monthStart = new DateTime(CurrentHour.Year, CurrentHour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var monthToDate = (double)Enumerable.Range(0, HistoryHours + 1).Select(i => Spike.AddHours(-i)).Count(h => h >= monthStart) * 2.0;
        Assert.Equal(monthToDate, Metric.Value(metrics, "cloudsentinel_cost_month_to_date_usd", new() { ["tenant"] = "acme", ["service_name"] = "flat" }));
        Assert.Equal(monthToDate, Metric.Value(metrics, "cloudsentinel_cost_month_to_date_usd", new() { ["tenant"] = "acme", ["service_name"] = "*" }));

        using (var list = JsonDocument.Parse(await _stack.Http.GetStringAsync("/api/cloudsentinel/budgets/acme")))
        {
            Assert.Equal(["*", "flat"], list.RootElement.EnumerateArray().Select(b => b.GetProperty("serviceName").GetString()));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _stack.Http.DeleteAsync("/api/cloudsentinel/budgets/acme/flat")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Http.DeleteAsync("/api/cloudsentinel/budgets/acme/flat")).StatusCode);
        Assert.Equal(0L, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM budgets WHERE service_name = 'flat'"));
        await Eventually.Async(async () => Metric.Value(await _stack.ScrapeAsync(), "cloudsentinel_service_budget_usd", new() { ["tenant"] = "acme", ["service_name"] = "flat" }) is null,
            "the budget gauge to disappear");
    }

    [Theory]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": -5}""", "amount_usd", "must be positive")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": 0}""", "amount_usd", "must be positive")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": "NaN"}""", "amount_usd", "must be a JSON number")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": 1e400}""", "amount_usd", "out of range")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": 1e15}""", "amount_usd", "must be at most")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"amount_usd": 10, "currency": "EUR"}""", "currency", "budgets are in USD")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """{"currency": "USD"}""", "amount_usd", "is required")]
    [InlineData("/api/cloudsentinel/budgets/acme/flat", """[1000]""", "body", "must be a JSON object")]
    [InlineData("/api/cloudsentinel/budgets/Not%20A%20Tenant/flat", """{"amount_usd": 10}""", "tenant", "does not match")]
    [InlineData("/api/cloudsentinel/budgets/acme/bad%01name", """{"amount_usd": 10}""", "service", "control characters")]
    public async Task Bad_budget_gets_400_naming_the_field(string path, string body, string field, string reason)
    {
        var response = await _stack.Http.PutAsync(path, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, json.RootElement.GetProperty("field").GetString());
        Assert.Contains(reason, json.RootElement.GetProperty("detail").GetString());
        Assert.Equal(0L, await _stack.QueryScalarAsync<long>("SELECT count(*) FROM budgets"));
    }

    [Fact]
    public async Task Forecast_of_a_flat_service_is_month_to_date_plus_the_remaining_hours_at_its_rate()
    {
        await IngestHistoryAndSpike(2.00m);
        await _stack.Http.PutAsync("/api/cloudsentinel/budgets/acme/flat", Json("""{"amount_usd": 10}"""));

        var asOf = CurrentHour.AddHours(-1);
        var monthStart = new DateTime(asOf.Year, asOf.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var remaining = (monthStart.AddMonths(1) - asOf).TotalHours - 1;
        var monthToDate = Enumerable.Range(0, HistoryHours + 1).Select(i => Spike.AddHours(-i)).Count(h => h >= monthStart) * 2.0;
        var expected = monthToDate + remaining * 2.0;

        await Eventually.Async(async () => await _stack.QueryScalarAsync<long>("SELECT count(*) FROM cost_forecasts WHERE budget_usd = 10") == 1, "the forecast row with the budget");
        Assert.Equal(expected, await _stack.QueryScalarAsync<double>("SELECT forecast_usd FROM cost_forecasts"), 6);
        Assert.True(await _stack.QueryScalarAsync<bool>("SELECT forecast_exceeds_budget FROM cost_forecasts"));
        Assert.Equal(DateOnly.FromDateTime(monthStart), DateOnly.FromDateTime(await _stack.QueryScalarAsync<DateTime>("SELECT month::timestamp FROM cost_forecasts")));
        await Metric.WaitForAsync(_stack, "cloudsentinel_cost_forecast_month_usd", new() { ["tenant"] = "acme", ["service_name"] = "flat" }, expected);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
