using CloudSentinel.Ingestion;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>The node → cluster map in cluster_nodes, shared by every gateway and silo of the database.</summary>
public sealed class PostgresClusterNodeStore(NpgsqlDataSource dataSource) : IClusterNodeStore
{
    public async Task SaveAsync(string tenant, string cluster, IReadOnlyList<string> instances, DateTime seen, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO cluster_nodes (tenant_id, instance_id, cluster_name, last_seen)
            SELECT $1, i, $2, $3 FROM unnest($4::text[]) AS i
            ON CONFLICT (tenant_id, instance_id) DO UPDATE SET cluster_name = EXCLUDED.cluster_name, last_seen = GREATEST(cluster_nodes.last_seen, EXCLUDED.last_seen)
            """);
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = cluster });
        command.Parameters.Add(new() { Value = DateTime.SpecifyKind(seen, DateTimeKind.Utc) });
        command.Parameters.Add(new() { Value = instances.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Dictionary<(string Tenant, string Instance), string>> LoadAsync(CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<(string, string), string>();
        await using var command = dataSource.CreateCommand("SELECT tenant_id, instance_id, cluster_name FROM cluster_nodes");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) nodes[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
        return nodes;
    }
}
