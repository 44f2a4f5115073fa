using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// How many PostgreSQL connections one process may hold. Section "Postgres": <see cref="MaxPoolSize"/>
/// for our own data source (ingest log, bucket writers, reads) and <see cref="OrleansPoolSize"/> for
/// Orleans' ADO.NET providers (membership, reminders, grain storage), which open connections from
/// the connection string. A process never holds more than the sum; see the README's sizing rule.
/// </summary>
public sealed class PostgresPool
{
    public const string Section = "Postgres";

    public int MaxPoolSize { get; set; } = 12;

    public int OrleansPoolSize { get; set; } = 4;

    /// <summary>Seconds a caller waits for a free pooled connection before failing (Npgsql's Timeout).</summary>
    public int ConnectionWaitSeconds { get; set; } = 30;

    public static PostgresPool Bind(IConfiguration configuration, int defaultMaxPoolSize, int defaultOrleansPoolSize)
    {
        var pool = new PostgresPool { MaxPoolSize = defaultMaxPoolSize, OrleansPoolSize = defaultOrleansPoolSize };
        configuration.GetSection(Section).Bind(pool);
        if (pool.MaxPoolSize is < 2 or > 1000) throw new ArgumentException("Postgres:MaxPoolSize must be 2 to 1000");
        if (pool.OrleansPoolSize is < 1 or > 1000) throw new ArgumentException("Postgres:OrleansPoolSize must be 1 to 1000");
        if (pool.ConnectionWaitSeconds is < 1 or > 600) throw new ArgumentException("Postgres:ConnectionWaitSeconds must be 1 to 600");
        return pool;
    }

    public NpgsqlDataSource BuildDataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(WithPool(connectionString, MaxPoolSize)).Build();

    /// <summary>The connection string Orleans' ADO.NET providers get: its own, smaller pool.</summary>
    public string ForOrleans(string connectionString) => WithPool(connectionString, OrleansPoolSize);

    private string WithPool(string connectionString, int size) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size, Timeout = Math.Min(ConnectionWaitSeconds, 1024) }.ConnectionString;
}
