using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>Tenant tokens in api_tokens (created by the silo's migrations), shared by every gateway.</summary>
public sealed class PostgresTokenStore(NpgsqlDataSource dataSource) : ITokenStore
{
    public async Task CreateAsync(StoredToken token, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO api_tokens (id, tenant_id, roles, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter { Value = token.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = token.Tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = token.Roles });
        command.Parameters.Add(new NpgsqlParameter { Value = token.Hash });
        command.Parameters.Add(new NpgsqlParameter { Value = token.CreatedAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredToken>> ListAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, tenant_id, roles, token_hash, created_at FROM api_tokens WHERE revoked_at IS NULL AND ($1::text IS NULL OR tenant_id = $1) ORDER BY created_at");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<StoredToken?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, tenant_id, roles, token_hash, created_at FROM api_tokens WHERE id = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    private static async Task<List<StoredToken>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var tokens = new List<StoredToken>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(new StoredToken(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetFieldValue<byte[]>(3),
                DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc)));
        }

        return tokens;
    }
}
