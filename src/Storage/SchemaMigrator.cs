using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Applies the embedded Migrations/V###__name.sql scripts in order, each once, each in its own
/// transaction. An advisory lock makes concurrent silo starts take turns; a second start is a no-op.
/// </summary>
public static partial class SchemaMigrator
{
    private const long LockKey = 0x436c6f756453656e; // "CloudSen"

    [GeneratedRegex(@"V(\d+)__(.+)\.sql$")]
    private static partial Regex ScriptName();

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Select(name => (name, match: ScriptName().Match(name)))
            .Where(x => x.match.Success)
            .Select(x => (int.Parse(x.match.Groups[1].Value), x.match.Groups[2].Value, Read(assembly, x.name)))
            .OrderBy(x => x.Item1)
            .ToList();
    }

    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
            }

            var count = 0;
            foreach (var (version, name, sql) in Scripts().Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, transaction, sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = version });
                    record.Parameters.Add(new NpgsqlParameter { Value = name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied schema migration V{Version:000} {Name}", version, name);
                count++;
            }

            if (count == 0) logger.LogInformation("Schema is up to date ({Count} migrations)", applied.Count);
            return count;
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
