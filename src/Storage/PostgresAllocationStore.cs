using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes cluster inputs and allocation results to PostgreSQL in batches, like
/// <see cref="PostgresBucketStore"/>: grains enqueue without waiting; inputs are coalesced per key
/// and results per cluster hour (the newest wins), and written every <see cref="PostgresBucketStore.FlushInterval"/>.
/// A recomputed cluster hour is replaced whole (delete and insert in one transaction), so a pod or
/// service that lost its share loses its row. A failed write keeps its rows and retries with backoff.
/// </summary>
public sealed class PostgresAllocationStore(NpgsqlDataSource dataSource, ILogger<PostgresAllocationStore> logger)
    : BackgroundService, IAllocationStore
{
    private const int ChunkRows = 20_000;

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Pending _pending = new();
    private Pending _inFlight = new();

    public int PendingCount
    {
        get { lock (_gate) return _pending.Count + _inFlight.Count; }
    }

    public void EnqueueInputs(string tenant, string cluster, IReadOnlyList<ClusterCostUpdate> costs, IReadOnlyList<PodUsageUpdate> usage)
    {
        lock (_gate)
        {
            foreach (var cost in costs) _pending.Costs[new(tenant, cluster, cost.Key)] = cost.Amount;
            foreach (var pod in usage) _pending.Usage[new(tenant, cluster, pod.Key)] = pod.Usage;
        }
    }

    public void EnqueueAllocation(string tenant, string cluster, AllocatedHour hour)
    {
        lock (_gate) _pending.Hours[new(tenant, cluster, hour.Hour)] = hour;
    }

    public async Task<ClusterRestore> LoadAsync(string tenant, string cluster, DateTime since, CancellationToken cancellationToken)
    {
        var costs = new Dictionary<ClusterCostKey, ClusterCostAmount>();
        var usage = new Dictionary<PodUsageKey, PodUsageAmount>();
        var published = new Dictionary<DateTime, Dictionary<string, Dictionary<BucketKey, BucketAmount>>>();
        since = DateTime.SpecifyKind(since, DateTimeKind.Utc);
        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", cloud_provider, account_id, cost_type, component, pool, source,
                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, cpu_capacity_core_hours, memory_capacity_gb_hours
                FROM cluster_cost_buckets WHERE tenant_id = $1 AND cluster_name = $2 AND "timestamp" >= $3
                """, tenant, cluster, since));
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", namespace, pod_name, service_name, cpu_request_core_hours, cpu_usage_core_hours,
                       memory_request_gb_hours, memory_usage_gb_hours, storage_type, storage_gb_hours, load_balancer, lb_requests
                FROM pod_usage WHERE tenant_id = $1 AND cluster_name = $2 AND "timestamp" >= $3
                """, tenant, cluster, since));
            // What services hold for this cluster is what it last sent them; a recompute sends the difference.
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", service_name, cloud_provider, account_id, cost_type, breakdown,
                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb
                FROM service_costs WHERE tenant_id = $1 AND source = $2 AND "timestamp" >= $3
                """, tenant, SharedCostBuckets.Source(cluster), since));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new ClusterCostKey(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), Utc(reader.GetDateTime(0)), reader.GetString(6));
                costs[key] = new ClusterCostAmount(reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9), reader.GetDecimal(10), reader.GetDecimal(11), reader.GetDecimal(12));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new PodUsageKey(Utc(reader.GetDateTime(0)), reader.GetString(1), reader.GetString(2));
                usage[key] = new PodUsageAmount(reader.GetString(3), reader.GetDecimal(4), reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetDecimal(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetDecimal(11));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var hour = Utc(reader.GetDateTime(0));
                var amount = new BucketAmount(reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9));
                // A zero bucket is one a service no longer has a share in: nothing to take back later.
                if (amount == default) continue;
                var service = reader.GetString(1);
                if (!published.TryGetValue(hour, out var services)) published[hour] = services = new(StringComparer.Ordinal);
                if (!services.TryGetValue(service, out var buckets)) services[service] = buckets = new();
                buckets[new BucketKey(reader.GetString(2), reader.GetString(3), reader.GetString(4), hour, reader.GetString(5), SharedCostBuckets.Source(cluster))] = amount;
            }
        }

        // Changes not yet written are newer than what the tables hold.
        lock (_gate)
        {
            foreach (var pending in new[] { _inFlight, _pending })
            {
                foreach (var (key, amount) in pending.Costs.Where(c => c.Key.Tenant == tenant && c.Key.Cluster == cluster && c.Key.Row.Hour >= since)) costs[key.Row] = amount;
                foreach (var (key, pod) in pending.Usage.Where(u => u.Key.Tenant == tenant && u.Key.Cluster == cluster && u.Key.Row.Hour >= since)) usage[key.Row] = pod;
                foreach (var (key, hour) in pending.Hours.Where(h => h.Key.Tenant == tenant && h.Key.Cluster == cluster && h.Key.Row >= since))
                {
                    published[key.Row] = hour.ServiceBuckets.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
                }
            }
        }

        return new ClusterRestore(
            [.. costs.Select(c => new ClusterCostUpdate(c.Key, c.Value))],
            [.. usage.Select(u => new PodUsageUpdate(u.Key, u.Value))],
            published);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WriteOnceAsync(cancellationToken);
            lock (_gate)
            {
                if (_pending.Count == 0) return;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(backoff > TimeSpan.Zero ? backoff : PostgresBucketStore.FlushInterval, stoppingToken);
                await WriteOnceAsync(stoppingToken);
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                logger.LogError(ex, "Writing {Pending} allocation rows to PostgreSQL failed; retrying in {Backoff}", PendingCount, backoff);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Final flush at shutdown failed; {Pending} allocation rows were not written", PendingCount);
        }
    }

    private async Task WriteOnceAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            lock (_gate)
            {
                if (_pending.Count == 0) return;
                (_inFlight, _pending) = (_pending, new Pending());
            }

            try
            {
                await WriteAsync(_inFlight, cancellationToken);
            }
            catch
            {
                lock (_gate) _pending.TakeOlder(_inFlight);
                throw;
            }
            finally
            {
                lock (_gate) _inFlight = new Pending();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteAsync(Pending pending, CancellationToken cancellationToken)
    {
        foreach (var chunk in pending.Costs.Chunk(ChunkRows)) await ExecuteAsync([AllocationRows.UpsertCosts(chunk)], cancellationToken);
        foreach (var chunk in pending.Usage.Chunk(ChunkRows)) await ExecuteAsync([AllocationRows.UpsertUsage(chunk)], cancellationToken);

        // Whole cluster hours per transaction, as many as fit in a chunk, so no reader sees half an hour.
        var hours = new List<ClusterRowKey<DateTime>>();
        var pods = new List<(ClusterRowKey<DateTime>, PodCostRow)>();
        var services = new List<(ClusterRowKey<DateTime>, SharedAllocationRow)>();
        foreach (var (key, hour) in pending.Hours)
        {
            hours.Add(key);
            pods.AddRange(hour.Pods.Select(p => (key, p)));
            services.AddRange(hour.Services.Select(s => (key, s)));
            if (pods.Count + services.Count >= ChunkRows) await ReplaceHoursAsync();
        }

        if (hours.Count > 0) await ReplaceHoursAsync();

        async Task ReplaceHoursAsync()
        {
            List<NpgsqlBatchCommand> commands = [.. AllocationRows.DeleteHours(hours)];
            if (pods.Count > 0) commands.Add(AllocationRows.InsertPods(pods));
            if (services.Count > 0) commands.Add(AllocationRows.InsertServices(services));
            await ExecuteAsync(commands, cancellationToken);
            hours.Clear();
            pods.Clear();
            services.Clear();
        }
    }

    private async Task ExecuteAsync(IReadOnlyList<NpgsqlBatchCommand> commands, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var command in commands) batch.BatchCommands.Add(command);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>What is waiting to be written, coalesced: the newest value per key.</summary>
    private sealed class Pending
    {
        public Dictionary<ClusterRowKey<ClusterCostKey>, ClusterCostAmount> Costs { get; } = new();
        public Dictionary<ClusterRowKey<PodUsageKey>, PodUsageAmount> Usage { get; } = new();
        public Dictionary<ClusterRowKey<DateTime>, AllocatedHour> Hours { get; } = new();

        public int Count => Costs.Count + Usage.Count + Hours.Count;

        /// <summary>Puts a failed batch back under anything enqueued meanwhile: newer values win.</summary>
        public void TakeOlder(Pending older)
        {
            foreach (var (key, value) in older.Costs) Costs.TryAdd(key, value);
            foreach (var (key, value) in older.Usage) Usage.TryAdd(key, value);
            foreach (var (key, value) in older.Hours) Hours.TryAdd(key, value);
        }
    }
}
