using Npgsql;

namespace CloudSentinel.Storage.Queries;

/// <summary>PostgreSQL is ready when it answers <c>SELECT 1</c>.</summary>
public sealed class PostgresReadiness(NpgsqlDataSource dataSource) : IStorageReadiness
{
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
