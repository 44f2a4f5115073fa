using System.Diagnostics;
using CloudSentinel.Grains.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Serialization;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// Drains ingest_log into the grains, in every silo. The gateway has already merged a message's
/// buckets into service_costs in the request's transaction; a row tells the grains what changed,
/// with the request's sequence (ingest_seq). Each round is one transaction: it locks a batch
/// of messages (FOR UPDATE SKIP LOCKED: silos never take the same row), hands each to its grain,
/// deletes the delivered rows and commits. A cost row without ingest_seq was appended by a gateway
/// of an earlier release that did not merge: its buckets are merged first, with the row's seq.
/// A failed delivery keeps its row, counted and delayed by a backoff; after
/// <see cref="IngestLogOptions.MaxAttempts"/> failures the row moves to ingest_dead_letters with the
/// reason, so one bad message never blocks the rest. A silo that dies loses nothing: its transaction
/// ends with its connection, and the rows it held are free for the other silos at once. Row locks
/// instead of written leases keep the happy path at one insert and one delete per message.
/// On shutdown the pump stops claiming and finishes the round it holds.
/// </summary>
public sealed class IngestLogPump(
    NpgsqlDataSource dataSource, IGrainFactory grains, Serializer serializer, IOptions<IngestLogOptions> options, ILogger<IngestLogPump> logger)
    : BackgroundService
{
    private readonly IngestLogOptions _options = options.Value;

    private sealed record Claimed(long Seq, IngestMessageKind Kind, string Target, byte[] Payload, int Attempts, string? LastError, long? IngestSeq)
    {
        /// <summary>The sequence the message's buckets were merged with.</summary>
        public long Sequence => IngestSeq ?? Seq;

        public bool Unmerged => IngestSeq is null && Kind == IngestMessageKind.ServiceCosts;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.Rounds ?? 1).Select(_ => Task.Run(() => DrainAsync(stoppingToken), CancellationToken.None)));

    /// <summary>One round after another until shutdown, backing off while the log is empty.</summary>
    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(5);
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await RoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Ingest log: a round failed ({Message}); retrying in 1 s", ex.Message);
                claimed = 0;
                idle = TimeSpan.FromSeconds(1);
            }

            if (claimed > 0)
            {
                idle = TimeSpan.FromMilliseconds(5);
                continue;
            }

            try
            {
                await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _options.IdlePoll.Ticks));
        }
    }

    /// <summary>One round: claim, deliver, settle. Returns the number of rows claimed.</summary>
    public async Task<int> RoundAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await ClaimAsync(connection, transaction, cancellationToken);
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(CancellationToken.None);
            return 0;
        }

        var dead = rows.Where(r => r.Attempts >= _options.MaxAttempts).ToList();
        var live = rows.Where(r => r.Attempts < _options.MaxAttempts).ToList();
        var delivered = new List<long>(live.Count);
        var failed = new List<(Claimed Row, string Error)>();
        var gate = new object();
        var stopwatch = Stopwatch.StartNew();
        foreach (var row in live.Where(r => r.Unmerged).ToList())
        {
            if (await MergeUnmergedAsync(row) is not { } error) continue;
            live.Remove(row);
            failed.Add((row, error));
        }

        // Deliveries are not cancelled by shutdown: a delivery half-done is redone later anyway, but
        // finishing it now spares the next silo the work.
        await Parallel.ForEachAsync(live, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency }, async (row, _) =>
        {
            try
            {
                await DeliverAsync(row);
                lock (gate) delivered.Add(row.Seq);
            }
            catch (Exception ex)
            {
                lock (gate) failed.Add((row, ex.Message));
            }
        });

        await SettleAsync(connection, transaction, delivered, failed, dead);
        await transaction.CommitAsync(CancellationToken.None);
        if (failed.Count > 0)
        {
            logger.LogWarning("Ingest log: {Failed} of {Count} messages failed delivery and will be retried; first: {Target} (seq {Seq}): {Error}",
                failed.Count, live.Count, failed[0].Row.Target, failed[0].Row.Seq, failed[0].Error);
        }

        logger.LogDebug("Ingest log: delivered {Count} messages in {Elapsed} ms", delivered.Count, stopwatch.ElapsedMilliseconds);
        return rows.Count;
    }

    private Task DeliverAsync(Claimed row) => row.Kind switch
    {
        IngestMessageKind.ServiceCosts => grains.GetGrain<IServiceCostGrain>(row.Target).Apply(serializer.Deserialize<CostBatch>(row.Payload)!, row.Sequence),
        IngestMessageKind.ClusterInputs => grains.GetGrain<IClusterAllocationGrain>(row.Target).Apply(serializer.Deserialize<ClusterInputBatch>(row.Payload)!, row.Sequence),
        _ => throw new InvalidOperationException($"unknown ingest message kind {row.Kind}"),
    };

    /// <summary>
    /// Merges an earlier release's row in a transaction of its own, committed before its grain hears
    /// of it (a redelivery merges again and changes nothing). Returns why the database refused its
    /// data, so that the row is retried and dead-lettered like any failed delivery; other errors throw.
    /// </summary>
    private async Task<string?> MergeUnmergedAsync(Claimed row)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await BucketMerge.MergeAsync(connection, transaction, [serializer.Deserialize<CostBatch>(row.Payload)!], row.Seq);
            await transaction.CommitAsync(CancellationToken.None);
            return null;
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            return $"PostgreSQL refused the message's buckets ({ex.SqlState}: {ex.MessageText})";
        }
    }

    /// <summary>Locks up to a batch of deliverable rows (not held by another silo, not waiting out a retry backoff). attempts = failed deliveries so far.</summary>
    private async Task<List<Claimed>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT seq, kind, target, payload, attempts, last_error, ingest_seq FROM ingest_log
            WHERE lease_until < now() ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = _options.BatchSize });
        var rows = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new Claimed(reader.GetInt64(0), (IngestMessageKind)reader.GetInt16(1), reader.GetString(2), (byte[])reader[3],
                reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6)));
        }

        // Oldest first, so that a newer message for a key tends to arrive after an older one.
        rows.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return rows;
    }

    /// <summary>Deletes delivered rows, schedules failed ones for a retry with backoff, and dead-letters exhausted ones.</summary>
    private async Task SettleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<long> delivered, List<(Claimed Row, string Error)> failed, List<Claimed> dead)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (delivered.Count > 0)
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM ingest_log WHERE seq = ANY($1)");
            delete.Parameters.Add(new NpgsqlParameter { Value = delivered.ToArray() });
            batch.BatchCommands.Add(delete);
        }

        foreach (var (row, error) in failed)
        {
            var retry = new NpgsqlBatchCommand("UPDATE ingest_log SET attempts = attempts + 1, last_error = $2, lease_until = now() + $3 WHERE seq = $1");
            retry.Parameters.Add(new NpgsqlParameter { Value = row.Seq });
            retry.Parameters.Add(new NpgsqlParameter { Value = Truncate(error) });
            retry.Parameters.Add(new NpgsqlParameter { Value = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, row.Attempts))) });
            batch.BatchCommands.Add(retry);
        }

        foreach (var row in dead)
        {
            var move = new NpgsqlBatchCommand("""
                WITH moved AS (DELETE FROM ingest_log WHERE seq = $1 RETURNING *)
                INSERT INTO ingest_dead_letters (seq, tenant_id, kind, target, payload, enqueued_at, attempts, reason, ingest_seq)
                SELECT seq, tenant_id, kind, target, payload, enqueued_at, attempts, coalesce(last_error, 'unknown'), ingest_seq FROM moved
                ON CONFLICT (seq) DO NOTHING
                """);
            move.Parameters.Add(new NpgsqlParameter { Value = row.Seq });
            batch.BatchCommands.Add(move);
            logger.LogError("Ingest log: message {Seq} for {Target} failed {Attempts} deliveries and was dead-lettered: {Reason}",
                row.Seq, row.Target, row.Attempts, row.LastError);
        }

        if (batch.BatchCommands.Count == 0) return;
        await batch.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static string Truncate(string error) => error.Length <= 2_000 ? error : error[..2_000];
}
