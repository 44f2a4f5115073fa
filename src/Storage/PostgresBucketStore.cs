using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes changed buckets to PostgreSQL in batches. Grains enqueue without waiting; changes are
/// coalesced per bucket (newest absolute value wins) and upserted every <see cref="FlushInterval"/>
/// as multi-row statements, one round trip per chunk. A failed write keeps its rows and retries
/// with backoff, so nothing acknowledged is dropped while the silo lives.
/// </summary>
public sealed class PostgresBucketStore(NpgsqlDataSource dataSource, ILogger<PostgresBucketStore> logger)
    : BackgroundService, IBucketStore
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private const int ChunkRows = 20_000;

    private readonly object _gate = new();
    private Dictionary<PendingKey, BucketAmount> _pending = new();
    private Dictionary<PendingKey, BucketAmount> _inFlight = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0);

    public long RowsWritten { get; private set; }

    public int PendingCount
    {
        get { lock (_gate) return _pending.Count + _inFlight.Count; }
    }

    public void Enqueue(string tenant, string serviceName, IReadOnlyList<BucketUpdate> changed)
    {
        lock (_gate)
        {
            foreach (var update in changed) _pending[new PendingKey(tenant, serviceName, update.Key)] = update.Amount;
            if (_pending.Count >= ChunkRows && _signal.CurrentCount == 0) _signal.Release();
        }
    }

    public async Task<IReadOnlyList<BucketUpdate>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        var buckets = new Dictionary<BucketKey, BucketAmount>();
        await using (var command = dataSource.CreateCommand("""
            SELECT "timestamp", cloud_provider, account_id, cost_type, breakdown, source,
                   cost_usd, cpu_cost_usd, memory_cost_usd, storage_gb
            FROM service_costs
            WHERE tenant_id = $1 AND service_name = $2 AND "timestamp" >= $3
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = serviceName });
            command.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(since, DateTimeKind.Utc) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new BucketKey(reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(4), reader.GetString(5));
                buckets[key] = new BucketAmount(reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9));
            }
        }

        // Changes not yet written are newer than what the table holds.
        lock (_gate)
        {
            foreach (var source in new[] { _inFlight, _pending })
            {
                foreach (var (key, amount) in source)
                {
                    if (key.Tenant == tenant && key.Service == serviceName && key.Bucket.Hour >= since) buckets[key.Bucket] = amount;
                }
            }
        }

        return buckets.Select(b => new BucketUpdate(b.Key, b.Value)).ToList();
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
                await _signal.WaitAsync(backoff > TimeSpan.Zero ? backoff : FlushInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await WriteOnceAsync(stoppingToken);
                backoff = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                logger.LogError(ex, "Writing {Pending} buckets to PostgreSQL failed; retrying in {Backoff}", PendingCount, backoff);
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
            logger.LogError(ex, "Final flush at shutdown failed; {Pending} buckets were not written", PendingCount);
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
                (_inFlight, _pending) = (_pending, new Dictionary<PendingKey, BucketAmount>());
            }

            try
            {
                foreach (var chunk in _inFlight.Chunk(ChunkRows)) await WriteChunkAsync(chunk, cancellationToken);
                RowsWritten += _inFlight.Count;
            }
            catch
            {
                lock (_gate)
                {
                    // Put the batch back under anything enqueued meanwhile: newer values win.
                    foreach (var (key, amount) in _inFlight) _pending.TryAdd(key, amount);
                }

                throw;
            }
            finally
            {
                lock (_gate) _inFlight = new Dictionary<PendingKey, BucketAmount>();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteChunkAsync(KeyValuePair<PendingKey, BucketAmount>[] rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            batch.BatchCommands.Add(BucketUpserts.ServiceCosts(rows));
            var network = rows.Where(r => r.Key.Bucket.CostType == "network" && r.Key.Bucket.Breakdown.Length > 0).ToArray();
            if (network.Length > 0) batch.BatchCommands.Add(BucketUpserts.NetworkCosts(network));
            var storage = rows.Where(r => r.Key.Bucket.CostType == "storage").ToArray();
            if (storage.Length > 0) batch.BatchCommands.Add(BucketUpserts.StorageCosts(storage));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

public readonly record struct PendingKey(string Tenant, string Service, BucketKey Bucket);
