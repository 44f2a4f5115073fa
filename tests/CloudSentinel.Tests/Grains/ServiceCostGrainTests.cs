using CloudSentinel.Anomalies;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using CloudSentinel.Grains.Costs;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace CloudSentinel.Tests.Grains;

/// <summary>Ingest messages applied to a grain in a TestingHost cluster change its windows; an older message never overwrites a newer one.</summary>
public sealed class ServiceCostGrainTests : IAsyncLifetime
{
    private static readonly DateTime Current = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.ConfigureServices(s =>
            {
                s.AddSingleton<InMemoryBucketStore>();
                s.AddSingleton<IBucketStore>(sp => sp.GetRequiredService<InMemoryBucketStore>());
                s.AddSingleton<InMemoryInsightStore>();
                s.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
                s.AddSingleton<IBudgetStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
                s.AddSingleton(Options.Create(AnomalyOptions.Default));
                s.AddSingleton(new JudgementBudget(1_000, TimeProvider.System));
                s.AddSingleton(TimeProvider.System);
            });
        }
    }

    private Task SendAsync(string key, params BucketUpdate[] updates) => SendAsync(key, 0, updates);

    private async Task SendAsync(string key, long sequence, params BucketUpdate[] updates)
    {
        var (tenant, service) = ServiceKey.Parse(key);
        await _cluster.Client.GetGrain<IServiceCostGrain>(key).Apply(new CostBatch(tenant, service, updates), sequence);
    }

    private static BucketUpdate Update(int hoursAgo, decimal cost, string costType = "compute") =>
        new(new BucketKey("aws", "1", costType, Current.AddHours(-hoursAgo), "", ""), new BucketAmount(cost, 0, 0, 0));

    private async Task<ServiceCostView> WaitForView(string key, Func<ServiceCostView, bool> done)
    {
        var grain = _cluster.Client.GetGrain<IServiceCostGrain>(key);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var view = await grain.GetView();
            if (done(view) || DateTime.UtcNow > deadline) return view;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Stream_batches_fill_the_windows_and_a_restatement_replaces_its_bucket()
    {
        await SendAsync("acme/api", Update(3, 1m), Update(2, 2m), Update(1, 4m), Update(0, 0.5m), Update(1, 1m, "storage"));

        var view = await WaitForView("acme/api", v => v.BucketCount == 5);

        Assert.Equal(Current.AddHours(-1), view.LatestHour);
        Assert.Equal(5m, view.LatestHourUsd);
        Assert.Equal(0.5m, view.RunningHourUsd);
        Assert.Equal(8m, view.Last24HoursUsd);

        await SendAsync("acme/api", Update(1, 10m));
        view = await WaitForView("acme/api", v => v.LatestHourUsd == 11m);

        Assert.Equal(11m, view.LatestHourUsd);
        Assert.Equal(14m, view.Last24HoursUsd);
        Assert.Equal(5, view.BucketCount);
    }

    [Fact]
    public async Task A_late_older_message_never_overwrites_a_newer_amount()
    {
        await SendAsync("acme/late", 20, Update(1, 5m));
        await SendAsync("acme/late", 10, Update(1, 99m), Update(2, 3m));

        var view = await WaitForView("acme/late", v => v.BucketCount == 2);
        Assert.Equal(5m, view.LatestHourUsd);
        Assert.Equal(8m, view.Last24HoursUsd);

        await SendAsync("acme/late", 30, Update(1, 6m));
        Assert.Equal(6m, (await WaitForView("acme/late", v => v.LatestHourUsd == 6m)).LatestHourUsd);
    }

    [Fact]
    public async Task Each_service_key_reaches_its_own_grain()
    {
        await SendAsync("acme/a", Update(1, 1m));
        await SendAsync("globex/a", Update(1, 7m));

        Assert.Equal(1m, (await WaitForView("acme/a", v => v.BucketCount == 1)).LatestHourUsd);
        Assert.Equal(7m, (await WaitForView("globex/a", v => v.BucketCount == 1)).LatestHourUsd);
    }
}
