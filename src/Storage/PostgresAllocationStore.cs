using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes cluster inputs and allocation results to PostgreSQL behind the grains, with the shared
/// <see cref="BatchingWriter{TKey,TValue}"/> loop: inputs are coalesced per key and results per
/// cluster hour (the newest wins). A recomputed cluster hour is replaced whole (delete and insert in
/// one transaction), so a pod or service that lost its share loses its row.
/// </summary>
public sealed class PostgresAllocationStore(NpgsqlDataSource dataSource, ILogger<PostgresAllocationStore> logger)
    : BatchingWriter<ClusterRowKey<object>, object>(logger), IAllocationStore
{
    private const int ChunkRows = 20_000;

    public void EnqueueInputs(string tenant, string cluster, IReadOnlyList<Sequenced<ClusterCostUpdate>> costs, IReadOnlyList<Sequenced<PodUsageUpdate>> usage) =>
        Enqueue(costs.Select(c => Entry(tenant, cluster, c.Item.Key, c)).Concat(usage.Select(u => Entry(tenant, cluster, u.Item.Key, u))));

    public void EnqueueAllocation(string tenant, string cluster, AllocatedHour hour) =>
        Enqueue([Entry(tenant, cluster, hour.Hour, hour)]);

    public Task CommitAsync(string tenant, string cluster) => EnqueueAndWaitAsync([], ServiceKey.Format(tenant, cluster));

    public async Task<IReadOnlyList<string>> LoadClusterNamesAsync(string tenant, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand("""
            SELECT cluster_name FROM cluster_cost_buckets WHERE tenant_id = $1 AND cluster_name <> $2
            UNION SELECT cluster_name FROM pod_usage WHERE tenant_id = $1 AND cluster_name <> $2
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = CostVocabulary.OverflowService });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        }

        foreach (var (key, _) in Unwritten(k => k.Tenant == tenant && k.Cluster != CostVocabulary.OverflowService)) names.Add(key.Cluster);
        return [.. names];
    }

    /// <summary>One key space for the three kinds of row; the row key's type tells them apart.</summary>
    private static KeyValuePair<ClusterRowKey<object>, object> Entry(string tenant, string cluster, object row, object value) =>
        KeyValuePair.Create(new ClusterRowKey<object>(tenant, cluster, row), value);

    protected override int StripeOf(ClusterRowKey<object> key) => HashCode.Combine(key.Tenant, key.Cluster);

    protected override string GroupOf(ClusterRowKey<object> key) => ServiceKey.Format(key.Tenant, key.Cluster);

    public async Task<ClusterRestore> LoadAsync(string tenant, string cluster, DateTime since, DateTime until, CancellationToken cancellationToken)
    {
        var costs = new Dictionary<ClusterCostKey, Sequenced<ClusterCostUpdate>>();
        var usage = new Dictionary<PodUsageKey, Sequenced<PodUsageUpdate>>();
        var published = new Dictionary<DateTime, Dictionary<string, Dictionary<BucketKey, BucketAmount>>>();
        since = DateTime.SpecifyKind(since, DateTimeKind.Utc);
        until = DateTime.SpecifyKind(until, DateTimeKind.Utc);
        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", cloud_provider, account_id, cost_type, component, pool, source,
                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb, cpu_capacity_core_hours, memory_capacity_gb_hours, ingest_seq
                FROM cluster_cost_buckets WHERE tenant_id = $1 AND cluster_name = $2 AND "timestamp" >= $3 AND "timestamp" < $4
                """, tenant, cluster, since, until));
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", namespace, pod_name, service_name, cpu_request_core_hours, cpu_usage_core_hours,
                       memory_request_gb_hours, memory_usage_gb_hours, storage_type, storage_gb_hours, load_balancer, lb_requests, ingest_seq
                FROM pod_usage WHERE tenant_id = $1 AND cluster_name = $2 AND "timestamp" >= $3 AND "timestamp" < $4
                """, tenant, cluster, since, until));
            // What services hold for this cluster is what it last sent them; a recompute sends the difference.
            // The LIKE repeats the partial index's predicate (V017), which the planner must see to use it.
            batch.BatchCommands.Add(Command("""
                SELECT "timestamp", service_name, cloud_provider, account_id, cost_type, breakdown,
                       cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb
                FROM service_costs WHERE tenant_id = $1 AND source = $2 AND source LIKE 'shared:%' AND "timestamp" >= $3 AND "timestamp" < $4
                """, tenant, CostVocabulary.SharedSource(cluster), since, until));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new ClusterCostKey(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), Utc(reader.GetDateTime(0)), reader.GetString(6));
                costs[key] = new Sequenced<ClusterCostUpdate>(
                    new ClusterCostUpdate(key, new ClusterCostAmount(reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9), reader.GetDecimal(10), reader.GetDecimal(11), reader.GetDecimal(12))),
                    reader.GetInt64(13));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new PodUsageKey(Utc(reader.GetDateTime(0)), reader.GetString(1), reader.GetString(2));
                usage[key] = new Sequenced<PodUsageUpdate>(
                    new PodUsageUpdate(key, new PodUsageAmount(reader.GetString(3), reader.GetDecimal(4), reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7),
                        reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetDecimal(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetDecimal(11))),
                    reader.GetInt64(12));
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
                buckets[new BucketKey(reader.GetString(2), reader.GetString(3), reader.GetString(4), hour, reader.GetString(5), CostVocabulary.SharedSource(cluster))] = amount;
            }
        }

        // Changes not yet written are newer than what the tables hold.
        foreach (var (key, value) in Unwritten(k => k.Tenant == tenant && k.Cluster == cluster))
        {
            switch (key.Row, value)
            {
                case (ClusterCostKey row, Sequenced<ClusterCostUpdate> cost) when row.Hour >= since && row.Hour < until: costs[row] = cost; break;
                case (PodUsageKey row, Sequenced<PodUsageUpdate> pod) when row.Hour >= since && row.Hour < until: usage[row] = pod; break;
                case (DateTime row, AllocatedHour hour) when row >= since && row < until:
                    published[row] = hour.ServiceBuckets.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
                    break;
            }
        }

        return new ClusterRestore([.. costs.Values], [.. usage.Values], published);
    }

    protected override async Task WriteAsync(KeyValuePair<ClusterRowKey<object>, object>[] batch, CancellationToken cancellationToken)
    {
        var costs = batch.Where(e => e.Key.Row is ClusterCostKey)
            .Select(e => KeyValuePair.Create(new ClusterRowKey<ClusterCostKey>(e.Key.Tenant, e.Key.Cluster, (ClusterCostKey)e.Key.Row), (Sequenced<ClusterCostUpdate>)e.Value)).ToList();
        var usage = batch.Where(e => e.Key.Row is PodUsageKey)
            .Select(e => KeyValuePair.Create(new ClusterRowKey<PodUsageKey>(e.Key.Tenant, e.Key.Cluster, (PodUsageKey)e.Key.Row), (Sequenced<PodUsageUpdate>)e.Value)).ToList();
        if (costs.Count > 0) await RunInTransactionAsync([AllocationRows.UpsertCosts(costs)], cancellationToken);
        if (usage.Count > 0) await RunInTransactionAsync([AllocationRows.UpsertUsage(usage)], cancellationToken);

        // Whole cluster hours per transaction, as many as fit in a chunk, so no reader sees half an hour.
        var hours = new List<ClusterRowKey<DateTime>>();
        var pods = new List<(ClusterRowKey<DateTime>, PodCostRow)>();
        var services = new List<(ClusterRowKey<DateTime>, SharedAllocationRow)>();
        foreach (var (entry, value) in batch)
        {
            if (value is not AllocatedHour hour) continue;
            var key = new ClusterRowKey<DateTime>(entry.Tenant, entry.Cluster, hour.Hour);
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
            await RunInTransactionAsync(commands, cancellationToken);
            hours.Clear();
            pods.Clear();
            services.Clear();
        }
    }

    private async Task RunInTransactionAsync(IReadOnlyList<NpgsqlBatchCommand> commands, CancellationToken cancellationToken)
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
}
