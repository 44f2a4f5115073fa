using System.Reflection;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Grains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace CloudSentinel.Tests.Unit;

/// <summary>The gateway polls each metrics shard on its own: one that does not answer holds back only its services' gauges.</summary>
public sealed class SnapshotPollerTests
{
    private static readonly DateTime Hour = new(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc);

    private static ServiceSnapshot Snapshot(int shard) => new(
        "acme", $"svc-{shard}", Hour, [new CostLine("compute", "aws", 1.5m)], 0.9m, 0.6m, [], [], 0.7m, 400m, [new LabeledHour("aws", Hour)]);

    /// <summary>A shard that hands out its one snapshot once, or, while <see cref="Answer"/> is pending, nothing at all.</summary>
    internal sealed class Shard(int number) : IMetricsShardGrain
    {
        private readonly Guid _epoch = Guid.NewGuid();

        public Task Answer { get; set; } = Task.CompletedTask;

        public Task Publish(ServiceSnapshot snapshot) => throw new NotSupportedException();

        public Task PublishCluster(ClusterSnapshot snapshot) => throw new NotSupportedException();

        public async Task<SnapshotChanges> GetChangesSince(Guid epoch, long version)
        {
            await Answer;
            return new SnapshotChanges(_epoch, 1, epoch != _epoch, epoch == _epoch && version >= 1 ? [] : [Snapshot(number)]);
        }
    }

    /// <summary>An <see cref="IClusterClient"/> that knows only the metrics shards.</summary>
    public class ShardClient : DispatchProxy
    {
        internal Shard[] Shards { get; set; } = [];

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && method.GetGenericArguments()[0] == typeof(IMetricsShardGrain) && args?[0] is long key)
                return Shards[key];
            throw new NotSupportedException(method?.Name);
        }
    }

    /// <summary>A gateway's poller over <paramref name="shards"/>, and the registries its gauges are in.</summary>
    private static (SnapshotPoller Poller, TenantRegistries Registries) Poller(Shard[] shards, ILogger<SnapshotPoller> log)
    {
        var client = DispatchProxy.Create<IClusterClient, ShardClient>();
        ((ShardClient)(object)client).Shards = shards;
        var registries = new TenantRegistries(Prometheus.Metrics.NewCustomRegistry());
        return (new SnapshotPoller(client, new GaugeExporter(registries), new SharedCostGauge(registries), log), registries);
    }

    [Fact]
    public async Task A_shard_that_does_not_answer_holds_back_only_its_own_services()
    {
        var stalled = new TaskCompletionSource();
        var shards = Enumerable.Range(0, MetricsShards.Count).Select(i => new Shard(i)).ToArray();
        shards[3].Answer = stalled.Task;
        var (poller, registries) = Poller(shards, NullLogger<SnapshotPoller>.Instance);

        await poller.StartAsync(CancellationToken.None);
        try
        {
            var others = Enumerable.Range(0, MetricsShards.Count).Where(i => i != 3).Select(i => $"svc-{i}").ToHashSet();
            var shown = await ServicesShownAsync(registries, s => others.IsSubsetOf(s));
            Assert.True(others.IsSubsetOf(shown), $"shown: {string.Join(", ", shown.Order())}");
            Assert.DoesNotContain("svc-3", shown);

            stalled.SetResult();
            Assert.Contains("svc-3", await ServicesShownAsync(registries, s => s.Contains("svc-3")));
        }
        finally
        {
            stalled.TrySetResult();
            await poller.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Keeps what was logged, by level.</summary>
    private sealed class RecordingLogger : ILogger<SnapshotPoller>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public (LogLevel Level, string Message)[] Entries
        {
            get { lock (_entries) return [.. _entries]; }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task An_outage_of_every_shard_is_one_warning_and_its_end_one_information_not_one_per_shard_and_poll()
    {
        var shards = Enumerable.Range(0, MetricsShards.Count).Select(i => new Shard(i) { Answer = Task.FromException(new TimeoutException("no silo yet")) }).ToArray();
        var log = new RecordingLogger();
        var (poller, registries) = Poller(shards, log);

        await poller.StartAsync(CancellationToken.None);
        try
        {
            // Several polls of every shard fail (four a second each) before the silos "come up".
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (log.Entries.Count(e => e.Level == LogLevel.Debug) < MetricsShards.Count - 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
            await Task.Delay(Interval * 3);
            foreach (var shard in shards) shard.Answer = Task.CompletedTask;
            var all = Enumerable.Range(0, MetricsShards.Count).Select(i => $"svc-{i}").ToHashSet();
            Assert.True(all.IsSubsetOf(await ServicesShownAsync(registries, all.IsSubsetOf)));
            deadline = DateTime.UtcNow.AddSeconds(10);
            while (!log.Entries.Any(e => e.Level == LogLevel.Information) && DateTime.UtcNow < deadline) await Task.Delay(50);
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
        }

        var entries = log.Entries;
        Assert.Single(entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(MetricsShards.Count - 1, entries.Count(e => e.Level == LogLevel.Debug));
        Assert.Equal("Every metrics shard answers again; the gauges are current", Assert.Single(entries, e => e.Level == LogLevel.Information).Message);
    }

    private static readonly TimeSpan Interval = SnapshotPoller.Interval;

    /// <summary>The services on the gauges once <paramref name="done"/> holds, or after 10 s.</summary>
    private static async Task<HashSet<string>> ServicesShownAsync(TenantRegistries registries, Func<HashSet<string>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var buffer = new MemoryStream();
            await registries.All.CollectAndExportAsTextAsync(buffer);
            var shown = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n')
                .Where(l => l.StartsWith("cloudsentinel_cost_per_service_usd{", StringComparison.Ordinal))
                .Select(l => l.Split("service_name=\"")[1].Split('"')[0])
                .ToHashSet();
            if (done(shown) || DateTime.UtcNow > deadline) return shown;
            await Task.Delay(50);
        }
    }
}
