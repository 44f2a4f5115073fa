using System.Collections.Concurrent;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Makes sure each tenant has its PostgreSQL role (cloudsentinel_tenant_…, for row-level security)
/// before its first token or first data is committed. Tenants already seen by this process are
/// remembered, so the steady state costs nothing. Without PostgreSQL there is nothing to do.
/// </summary>
public sealed class TenantRoles(NpgsqlDataSource? dataSource)
{
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    public async Task EnsureAsync(string tenant, CancellationToken cancellationToken)
    {
        if (dataSource is null || _known.ContainsKey(tenant)) return;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureAsync(connection, null, [tenant], cancellationToken);
        Remember([tenant]);
    }

    /// <summary>Within the caller's transaction, so a request that is not committed leaves no role behind. Returns the tenants that were new to this process.</summary>
    public async Task<IReadOnlyList<string>> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<string> tenants, CancellationToken cancellationToken)
    {
        // Sorted: two writers creating the same new tenants take tenant_roles' key locks in one order.
        var fresh = tenants.Where(t => !_known.ContainsKey(t)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (fresh.Length == 0) return fresh;
        await using var command = new NpgsqlCommand("SELECT cloudsentinel_ensure_tenant_role(t) FROM unnest($1::text[]) AS t", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = fresh });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return fresh;
    }

    /// <summary>Records tenants whose roles were committed.</summary>
    public void Remember(IEnumerable<string> tenants)
    {
        foreach (var tenant in tenants) _known.TryAdd(tenant, true);
    }
}
