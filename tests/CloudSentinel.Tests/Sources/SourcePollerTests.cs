using System.Net;
using System.Text.Json;
using CloudSentinel.Cli;
using CloudSentinel.Gateway.Sources;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Sources;
using CloudSentinel.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Tests.Sources;

/// <summary>A stack whose silo polls two fake clouds: acme's AWS account (answering) and globex's Azure subscription (refusing credentials).</summary>
public sealed class SourceStack : IAsyncDisposable
{
    public const string Ec2 = "Amazon Elastic Compute Cloud - Compute";
    public const string S3 = "Amazon Simple Storage Service";

    private SourceStack(FakeBillingApi aws, FakeBillingApi azure, CloudSentinelStack stack)
    {
        Aws = aws;
        Azure = azure;
        Stack = stack;
    }

    public FakeBillingApi Aws { get; }

    public FakeBillingApi Azure { get; }

    public CloudSentinelStack Stack { get; }

    /// <param name="awsFirstPoll">When the AWS source's reminder first fires; long enough means only the test polls.</param>
    public static async Task<SourceStack> StartAsync(TimeSpan awsFirstPoll)
    {
        var aws = await FakeBillingApi.StartAsync();
        var azure = await FakeBillingApi.StartAsync();
        azure.RefuseCredentials = true;
        // Amounts divisible by 24, so each day spreads into exact hourly buckets.
        aws.AwsDaily[(Ec2, "web")] = 48.00m;
        aws.AwsDaily[(S3, "")] = 7.20m;
        var stack = await CloudSentinelStack.StartAsync(siloSettings: new Dictionary<string, string?>
        {
            ["Sources:0:Tenant"] = "acme",
            ["Sources:0:Name"] = "aws-main",
            ["Sources:0:Kind"] = "aws",
            ["Sources:0:AccountId"] = "123456789012",
            ["Sources:0:Endpoint"] = aws.BaseUri.ToString(),
            ["Sources:0:FirstPollDelay"] = awsFirstPoll.ToString(),
            ["Sources:1:Tenant"] = "globex",
            ["Sources:1:Name"] = "azure-sub",
            ["Sources:1:Kind"] = "azure",
            ["Sources:1:Scope"] = "/subscriptions/sub-1",
            ["Sources:1:Endpoint"] = azure.BaseUri.ToString(),
            ["Sources:1:FirstPollDelay"] = "01:00:00",
        }, siloServices: services => services.AddSingleton<ISourceCredentials, FakeCredentials>());
        return new SourceStack(aws, azure, stack);
    }

    public ICostSourcePollerGrain Poller(string key) => Stack.Client.GetGrain<ICostSourcePollerGrain>(key);

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await Aws.DisposeAsync();
        await Azure.DisposeAsync();
    }
}

/// <summary>API pollers end to end on real PostgreSQL: fake clouds on 127.0.0.1 → poller grains → stream → service_costs and grain state.</summary>
public sealed class SourcePollerTests : IAsyncLifetime
{
    private const string Ec2 = SourceStack.Ec2;
    private static readonly DateTime Today = DateTime.UtcNow.Date;
    private SourceStack _sources = null!;

    private CloudSentinelStack Stack => _sources.Stack;

    private FakeBillingApi Aws => _sources.Aws;

    public async Task InitializeAsync() => _sources = await SourceStack.StartAsync(TimeSpan.FromHours(1));

    public async Task DisposeAsync() => await _sources.DisposeAsync();

    private ICostSourcePollerGrain Poller(string key) => _sources.Poller(key);

    private Task<decimal> DaySum(string service, DateTime day) =>
        Stack.QueryScalarAsync<decimal>(
            $"SELECT coalesce(sum(cost_usd), 0) FROM service_costs WHERE tenant_id = 'acme' AND service_name = '{service}' " +
            $"AND \"timestamp\" >= '{day:yyyy-MM-dd}T00:00:00Z' AND \"timestamp\" < '{day.AddDays(1):yyyy-MM-dd}T00:00:00Z'");

    private async Task WaitForDaySum(string service, DateTime day, decimal expected) =>
        await Eventually.Async(async () => await DaySum(service, day) == expected, $"{service} on {day:yyyy-MM-dd} to total {expected}");

    [Fact]
    public async Task Polling_the_same_window_twice_changes_nothing_and_a_restated_amount_replaces_the_old_one()
    {
        var first = await Poller("acme/aws-main").PollNow();
        Assert.True(first.Succeeded, first.Error);
        // The default window is 3 days, widened to whole days: today and the three before it.
        Assert.Equal(Today.AddDays(-3), first.From);
        Assert.Equal(Today.AddDays(1), first.To);
        await WaitForDaySum("web", Today.AddDays(-1), 48.00m);
        await WaitForDaySum("untagged", Today.AddDays(-1), 7.20m);
        await WaitForDaySum("web", Today.AddDays(-3), 48.00m);
        await WaitForDaySum("web", Today, 48.00m);
        const long rows = 4 * 24 * 2;
        await Eventually.Async(async () => await Stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'acme'") == rows, "every hourly bucket of the window");

        var second = await Poller("acme/aws-main").PollNow();
        Assert.True(second.Succeeded, second.Error);
        Aws.AwsDaily[(Ec2, "web")] = 72.00m;
        var restated = await Poller("acme/aws-main").PollNow();
        Assert.True(restated.Succeeded, restated.Error);

        await WaitForDaySum("web", Today.AddDays(-1), 72.00m);
        await WaitForDaySum("web", Today.AddDays(-3), 72.00m);
        Assert.Equal(7.20m, await DaySum("untagged", Today.AddDays(-1)));
        Assert.Equal(3.00m, await Stack.QueryScalarAsync<decimal>(
            $"SELECT cost_usd FROM service_costs WHERE service_name = 'web' AND \"timestamp\" = '{Today.AddDays(-2):yyyy-MM-dd}T05:00:00Z'"));
        Assert.Equal(rows, await Stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'acme'"));
        Assert.Equal(24 * 4, await Stack.QueryScalarAsync<long>(
            "SELECT count(*) FROM service_costs WHERE service_name = 'web' AND cost_type = 'compute' AND account_id = '123456789012' AND source = 'aws-cost-explorer'"));
    }

    [Fact]
    public async Task Poller_state_survives_a_silo_restart()
    {
        var poll = await Poller("acme/aws-main").PollNow();
        Assert.True(poll.Succeeded, poll.Error);
        await Poller("globex/azure-sub").PollNow();
        var awsBefore = await Poller("acme/aws-main").GetStatus();
        var azureBefore = await Poller("globex/azure-sub").GetStatus();
        Assert.Equal(2, await Stack.QueryScalarAsync<long>("SELECT count(*) FROM orleansstorage WHERE payloadbinary IS NOT NULL"));

        await Stack.StopSiloAsync();
        await Stack.StartSiloAsync();
        await Stack.WaitUntilReadyAsync();

        SourceStatus? awsAfter = null;
        await Eventually.Async(async () =>
        {
            awsAfter = await Poller("acme/aws-main").GetStatus();
            return true;
        }, "the restarted silo to answer");
        Assert.Equal(awsBefore.LastSuccess, awsAfter!.LastSuccess);
        Assert.Equal(awsBefore.Checkpoint, awsAfter.Checkpoint);
        Assert.True(awsAfter.ApiCallsTotal >= awsBefore.ApiCallsTotal);
        // A silo start is how an operator resumes a stopped source; its history stays.
        var azureAfter = await Poller("globex/azure-sub").GetStatus();
        Assert.False(azureAfter.Stopped);
        Assert.Equal(azureBefore.LastError, azureAfter.LastError);
        Assert.Equal(azureBefore.LastFailure, azureAfter.LastFailure);
        Assert.Equal(azureBefore.ApiCallsTotal, azureAfter.ApiCallsTotal);
    }

    [Fact]
    public async Task Cli_backfill_polls_the_source_day_by_day()
    {
        var from = Today.AddDays(-10);
        var to = Today.AddDays(-9);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(
            ["backfill", "--tenant", "acme", "--source", "aws-main", "--from", $"{from:yyyy-MM-dd}", "--to", $"{to:yyyy-MM-dd}", "--gateway", Stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken],
            stdout, stderr);

        Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        Assert.Contains("backfill of acme/aws-main done: 2 days, 4 records, 110.40 USD", stdout.ToString());
        Assert.Contains("100%", stderr.ToString());
        await WaitForDaySum("web", from, 48.00m);
        await WaitForDaySum("web", to, 48.00m);
        await WaitForDaySum("untagged", to, 7.20m);
        Assert.Equal(0m, await DaySum("web", from.AddDays(-1)));
        var bodies = Aws.Requests.Select(r => r.Body).Where(b => b.Contains($"\"Start\":\"{from:yyyy-MM-dd}\"") || b.Contains($"\"Start\":\"{to:yyyy-MM-dd}\"")).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Contains($"\"TimePeriod\":{{\"Start\":\"{from:yyyy-MM-dd}\",\"End\":\"{to:yyyy-MM-dd}\"}}", bodies[0]);

        var unknown = await CliApp.RunAsync(
            ["backfill", "--tenant", "acme", "--source", "nope", "--from", $"{from:yyyy-MM-dd}", "--to", $"{to:yyyy-MM-dd}", "--gateway", Stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken],
            stdout, stderr);
        Assert.Equal(ExitCodes.Refused, unknown);
        Assert.Contains("no source 'nope' is configured for tenant 'acme' (configured: aws-main)", stderr.ToString());

        var refused = await CliApp.RunAsync(
            ["backfill", "--tenant", "globex", "--source", "azure-sub", "--from", $"{from:yyyy-MM-dd}", "--to", $"{to:yyyy-MM-dd}", "--gateway", Stack.Http.BaseAddress!.ToString(), "--token", CloudSentinelStack.AdminToken],
            stdout, stderr);
        Assert.Equal(ExitCodes.CredentialsRefused, refused);
        Assert.Contains($"stopped on {from:yyyy-MM-dd}", stdout.ToString());
    }
}

/// <summary>Status and gauges of API sources, with the AWS source's reminder firing on its own one second after start.</summary>
public sealed class SourceStatusTests : IAsyncLifetime
{
    private static readonly DateTime Today = DateTime.UtcNow.Date;
    private SourceStack _sources = null!;

    private CloudSentinelStack Stack => _sources.Stack;

    private FakeBillingApi Aws => _sources.Aws;

    private FakeBillingApi Azure => _sources.Azure;

    public async Task InitializeAsync() => _sources = await SourceStack.StartAsync(TimeSpan.FromSeconds(1));

    public async Task DisposeAsync() => await _sources.DisposeAsync();

    private ICostSourcePollerGrain Poller(string key) => _sources.Poller(key);

    [Fact]
    public async Task Refused_credentials_stop_only_that_source_and_status_and_gauges_say_so()
    {
        // The AWS source's reminder fires one second after start, without anyone asking.
        await Eventually.Async(async () => (await Poller("acme/aws-main").GetStatus()).LastSuccess is not null, "the reminder to poll acme/aws-main");

        var refused = await Poller("globex/azure-sub").PollNow();
        Assert.False(refused.Succeeded);
        Assert.True(refused.Stopped);
        Assert.Contains("401", refused.Error);
        var afterStop = await Poller("globex/azure-sub").PollNow();
        Assert.True(afterStop.Stopped);
        Assert.Single(Azure.Requests);

        var stillRunning = await Poller("acme/aws-main").PollNow();
        Assert.True(stillRunning.Succeeded, stillRunning.Error);

        var response = await Stack.Http.GetAsync(SourceEndpoints.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var sources = json.RootElement.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("tenant").GetString() + "/" + s.GetProperty("name").GetString());
        var azure = sources["globex/azure-sub"];
        Assert.Equal("azure", azure.GetProperty("kind").GetString());
        Assert.True(azure.GetProperty("stopped").GetBoolean());
        Assert.False(azure.GetProperty("up").GetBoolean());
        Assert.Contains("401", azure.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, azure.GetProperty("lastSuccess").ValueKind);
        Assert.Equal(1, azure.GetProperty("apiCallsTotal").GetInt64());
        var aws = sources["acme/aws-main"];
        Assert.True(aws.GetProperty("up").GetBoolean());
        Assert.Equal(Aws.Requests.Count, aws.GetProperty("apiCallsTotal").GetInt64());
        Assert.Equal(Today.AddDays(1), aws.GetProperty("checkpoint").GetDateTime());

        await Stack.Gateway.Services.GetRequiredService<SourceStatusPoller>().PollOnceAsync();
        var metrics = await Stack.ScrapeAsync();
        Assert.Equal(0.0, Metric.Value(metrics, "cloudsentinel_source_up", new() { ["tenant"] = "globex", ["source"] = "azure-sub" }));
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_source_up", new() { ["tenant"] = "acme", ["source"] = "aws-main" }));
        Assert.Equal(1.0, Metric.Value(metrics, "cloudsentinel_source_api_calls_total", new() { ["tenant"] = "globex", ["source"] = "azure-sub" }));
        Assert.Equal(Aws.Requests.Count, Metric.Value(metrics, "cloudsentinel_source_api_calls_total", new() { ["tenant"] = "acme", ["source"] = "aws-main" }));
        Assert.Null(Metric.Value(metrics, "cloudsentinel_source_last_success_timestamp_seconds", new() { ["tenant"] = "globex", ["source"] = "azure-sub" }));
        var lastSuccess = Metric.Value(metrics, "cloudsentinel_source_last_success_timestamp_seconds", new() { ["tenant"] = "acme", ["source"] = "aws-main" });
        Assert.InRange(lastSuccess!.Value, DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }
}
