using System.Globalization;
using System.Net;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>
/// The in-memory mode (no PostgreSQL): the journal merges into the silo's memory store before it tells
/// the grain, as the PostgreSQL journal merges into service_costs, so a grain that is collected and
/// activated again still holds what it was sent, once.
/// </summary>
public sealed class InMemoryModeTests
{
    [Fact]
    public async Task Buckets_survive_a_grain_collection_and_a_resend_changes_nothing()
    {
        await using var stack = await CloudSentinelStack.StartAsync(postgres: false);
        var hour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour).AddHours(-2);
        var body = string.Join('\n', Enumerable.Range(0, 3).Select(i =>
            $$"""{"tenant":"mem","service_name":"api","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour.AddHours(-i):yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{(1.25m * (i + 1)).ToString(CultureInfo.InvariantCulture)}}}"""));

        Assert.Equal(HttpStatusCode.OK, (await stack.PostAsync("/api/cloudsentinel/ingest", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.PostAsync("/api/cloudsentinel/ingest", body)).StatusCode);
        var grain = stack.Client.GetGrain<IServiceCostGrain>("mem/api");
        Assert.Equal(7.50m, (await grain.GetView()).Last24HoursUsd);

        await stack.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var view = await grain.GetView();
        Assert.Equal(3, view.BucketCount);
        Assert.Equal(7.50m, view.Last24HoursUsd);
    }
}
