using System.Diagnostics;
using Npgsql;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>deploy/postgres/init run for real against the test server, then the migrations as the owner it creates.</summary>
public sealed class PostgresInitScriptTests
{
    [Fact]
    public async Task Init_script_creates_the_database_and_roles_so_grafana_reader_can_log_in_and_read_the_migrated_tables()
    {
        var server = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var database = $"cs_init_{suffix}";
        var owner = $"cs_owner_{suffix}";
        try
        {
            // Twice: the script must be safe to re-run (roles already there).
            for (var run = 0; run < 2; run++)
            {
                var (exitCode, output) = RunInitScript(server, database, owner);
                Assert.True(exitCode == 0, output);
            }

            var asOwner = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Username = owner, Password = "owner-secret" };
            await using (var connection = new NpgsqlConnection(asOwner.ConnectionString))
            {
                await connection.OpenAsync();
                foreach (var migration in CostDatabaseFixture.MigrationFiles())
                {
                    await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(migration), connection);
                    await command.ExecuteNonQueryAsync();
                }
            }

            var asReader = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Username = "grafana_reader", Password = "reader-secret" };
            await using (var connection = new NpgsqlConnection(asReader.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM service_costs", connection);
                Assert.Equal(0L, await command.ExecuteScalarAsync());
                await using var write = new NpgsqlCommand("DELETE FROM service_costs", connection);
                var denied = await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE); DROP ROLE IF EXISTS \"{owner}\"", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static (int ExitCode, string Output) RunInitScript(NpgsqlConnectionStringBuilder server, string database, string owner)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepoPaths.Combine("deploy", "postgres", "init", "10-cloudsentinel.sh"));
        start.Environment["PGHOST"] = server.Host;
        start.Environment["PGPORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["POSTGRES_USER"] = server.Username;
        start.Environment["CLOUDSENTINEL_DB_NAME"] = database;
        start.Environment["CLOUDSENTINEL_DB_USER"] = owner;
        start.Environment["CLOUDSENTINEL_DB_PASSWORD"] = "owner-secret";
        start.Environment["GRAFANA_DB_PASSWORD"] = "reader-secret";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(60_000);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
