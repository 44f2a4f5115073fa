using CloudSentinel.Grains.Abstractions.Persistence;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>Budgets are few and set by people: written at once, in the request that sets them.</summary>
public sealed class PostgresBudgetStore(NpgsqlDataSource dataSource) : IBudgetStore
{
    public async Task<IReadOnlyDictionary<string, decimal>> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var budgets = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand("SELECT service_name, monthly_budget_usd FROM budgets WHERE tenant_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) budgets[reader.GetString(0)] = reader.GetDecimal(1);
        return budgets;
    }

    public async Task SaveAsync(string tenant, string serviceName, decimal? monthlyUsd, CancellationToken cancellationToken)
    {
        await using var command = monthlyUsd is { } amount
            ? dataSource.CreateCommand("""
                INSERT INTO budgets (tenant_id, service_name, monthly_budget_usd, currency, updated_at) VALUES ($1, $2, $3, 'USD', now())
                ON CONFLICT (tenant_id, service_name) DO UPDATE SET monthly_budget_usd = EXCLUDED.monthly_budget_usd, updated_at = now()
                """)
            : dataSource.CreateCommand("DELETE FROM budgets WHERE tenant_id = $1 AND service_name = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = serviceName });
        if (monthlyUsd is { } value) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
