using CloudSentinel.Grains.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// Applies a request in one transaction: takes the request's sequence number, merges its buckets
/// into service_costs (<see cref="BucketMerge"/>; the rollup triggers append their deltas), and
/// appends the grains' notifications to ingest_log with one binary COPY, each carrying that
/// sequence. The caller learns of success only after the commit, so an acknowledged request is
/// already in service_costs and the dashboards, and a failure leaves nothing behind. A resend is a
/// new request with a newer sequence and the same absolute amounts: it changes no total. Cluster
/// inputs are only journaled: their grain allocates them and merges the services' shares back
/// through this journal. The request's cancellation is not passed on once writing starts: a client
/// that goes away mid-commit must not turn an atomic write into a guess.
/// </summary>
public sealed class PostgresIngestJournal(NpgsqlDataSource dataSource, Serializer serializer, TenantRoles tenantRoles) : IIngestJournal
{
    public async Task AppendAsync(IReadOnlyCollection<CostBatch> costs, IReadOnlyCollection<ClusterInputBatch> clusters, CancellationToken cancellationToken)
    {
        var rows = costs.SelectMany(MessageChunks.Split)
            .Select(b => (b.Tenant, IngestMessageKind.ServiceCosts, ServiceKey.Format(b.Tenant, b.ServiceName), serializer.SerializeToArray(b)))
            .Concat(clusters.SelectMany(MessageChunks.Split)
                .Select(b => (b.Tenant, IngestMessageKind.ClusterInputs, ServiceKey.Format(b.Tenant, b.Cluster), serializer.SerializeToArray(b))))
            .ToList();
        if (rows.Count == 0) return;
        cancellationToken.ThrowIfCancellationRequested();

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var newTenants = await tenantRoles.EnsureAsync(connection, transaction, rows.Select(r => r.Item1), CancellationToken.None);
            var sequence = await BucketMerge.NextSequenceAsync(connection, transaction);
            await BucketMerge.MergeAsync(connection, transaction, costs, sequence);
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY ingest_log (tenant_id, kind, target, payload, ingest_seq) FROM STDIN (FORMAT BINARY)", CancellationToken.None))
            {
                foreach (var (tenant, kind, target, payload) in rows)
                {
                    await copy.StartRowAsync(CancellationToken.None);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync((short)kind, NpgsqlDbType.Smallint, CancellationToken.None);
                    await copy.WriteAsync(target, NpgsqlDbType.Text, CancellationToken.None);
                    await copy.WriteAsync(payload, NpgsqlDbType.Bytea, CancellationToken.None);
                    await copy.WriteAsync(sequence, NpgsqlDbType.Bigint, CancellationToken.None);
                }

                await copy.CompleteAsync(CancellationToken.None);
            }

            await transaction.CommitAsync(CancellationToken.None);
            tenantRoles.Remember(newTenants);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Validation refuses what PostgreSQL cannot store; this is the net under it, and retrying cannot help.
            throw new IngestRefusedException($"PostgreSQL refused the request's data ({ex.SqlState}: {ex.MessageText}); nothing from it was applied", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException { InnerException: NpgsqlException })
        {
            throw new IngestUnavailableException($"PostgreSQL cannot take the request now ({ex.Message}); nothing from it was applied", ex);
        }
    }
}
