using Npgsql;

namespace CloudSentinel.Testing;

/// <summary>One statement on an open connection: what the rollup tests and the seed run.</summary>
public static class SqlCommands
{
    public static async Task ExecuteSqlAsync(this NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarSqlAsync<T>(this NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
