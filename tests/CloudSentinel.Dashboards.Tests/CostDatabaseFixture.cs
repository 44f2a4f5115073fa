using System.Text.RegularExpressions;
using Npgsql;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>
/// A fresh database with the real migrations applied in order and the deterministic seed
/// written, shared by the query tests of one class.
/// </summary>
public sealed partial class CostDatabaseFixture : IAsyncLifetime
{
    private TestPostgres? _database;

    public CostSeed Seed { get; } = new();

    public string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync("cs_dash");
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        foreach (var migration in MigrationFiles())
        {
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(migration), connection);
            await command.ExecuteNonQueryAsync();
        }

        // TimescaleDB is not installable here. This stand-in has time_bucket's signature and, for
        // hourly buckets, its result, so the timescaledb expansion of every query runs too.
        await using (var shim = new NpgsqlCommand("""
            CREATE FUNCTION time_bucket(bucket_width interval, ts timestamptz) RETURNS timestamptz
            LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin(bucket_width, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') $$
            """, connection))
        {
            await shim.ExecuteNonQueryAsync();
        }

        await Seed.WriteAsync(connection);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>V001__x.sql, V002__y.sql, ... ordered by their version number, not by text.</summary>
    public static IReadOnlyList<string> MigrationFiles() =>
        Directory.GetFiles(RepoPaths.Combine("src", "Storage", "Migrations"), "V*__*.sql")
            .OrderBy(file => int.Parse(MigrationVersion().Match(Path.GetFileName(file)).Groups[1].Value))
            .ToArray();

    /// <summary>Runs a query the way Grafana's data source does: as grafana_reader.</summary>
    public async Task<QueryResult> QueryAsGrafanaReaderAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var role = new NpgsqlCommand("SET ROLE grafana_reader", connection))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new QueryResult(columns, types, rows);
    }

    [GeneratedRegex(@"^V(\d+)__")]
    private static partial Regex MigrationVersion();
}

public sealed record QueryResult(string[] Columns, string[] Types, List<object?[]> Rows)
{
    public object? Value(int row, string column) => Rows[row][Array.IndexOf(Columns, column)];
}
