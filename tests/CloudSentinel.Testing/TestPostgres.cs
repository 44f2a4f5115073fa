using Npgsql;

namespace CloudSentinel.Testing;

/// <summary>
/// A fresh database on the throwaway PostgreSQL server that ./test.sh starts. The server comes from
/// CLOUDSENTINEL_TEST_PG; without it the test fails with a message that says how to get one,
/// because a database test that silently passes without a database proves nothing.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string ServerVariable = "CLOUDSENTINEL_TEST_PG";

    private readonly string _serverConnectionString;

    private TestPostgres(string serverConnectionString, string database, string connectionString)
    {
        _serverConnectionString = serverConnectionString;
        Database = database;
        ConnectionString = connectionString;
    }

    public string Database { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set. Run ./test.sh, which starts a throwaway PostgreSQL, " +
                $"or point {ServerVariable} at a server where tests may CREATE DATABASE.");

    public static async Task<TestPostgres> CreateAsync(string prefix = "cs_test")
    {
        var server = ServerConnectionString;
        var database = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { Database = database };
        return new TestPostgres(server, database, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
