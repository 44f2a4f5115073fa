using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>
/// Writes anomaly verdicts and forecasts behind the grains: per (kind, tenant, service, time) the
/// newest verdict wins, a cleared anomaly becomes a delete, and each batch is one transaction.
/// </summary>
public sealed class PostgresInsightStore(NpgsqlDataSource dataSource, ILogger<PostgresInsightStore> logger)
    : BatchingWriter<InsightKey, object?>(logger), IInsightStore
{
    public void SaveAnomaly(AnomalyRecord anomaly) =>
        Enqueue([KeyValuePair.Create(new InsightKey(InsightKind.Anomaly, anomaly.Tenant, anomaly.ServiceName, anomaly.Hour), (object?)anomaly)]);

    public void RemoveAnomaly(string tenant, string serviceName, DateTime hour) =>
        Enqueue([KeyValuePair.Create(new InsightKey(InsightKind.Anomaly, tenant, serviceName, hour), (object?)null)]);

    public void SaveForecast(ForecastRecord forecast) =>
        Enqueue([KeyValuePair.Create(new InsightKey(InsightKind.Forecast, forecast.Tenant, forecast.ServiceName, forecast.Month), (object?)forecast)]);

    public async Task<IReadOnlyList<DateTime>> LoadAnomalyHoursAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
    {
        var hours = new HashSet<DateTime>();
        await using (var command = dataSource.CreateCommand("""SELECT "timestamp" FROM cost_anomalies WHERE tenant_id = $1 AND service_name = $2 AND "timestamp" >= $3"""))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = serviceName });
            command.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(since, DateTimeKind.Utc) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) hours.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
        }

        foreach (var (key, value) in Unwritten(k => k.Kind == InsightKind.Anomaly && k.Tenant == tenant && k.Service == serviceName))
        {
            if (value is null) hours.Remove(key.At);
            else hours.Add(key.At);
        }

        return hours.ToList();
    }

    protected override int StripeOf(InsightKey key) => HashCode.Combine(key.Tenant, key.Service);

    protected override string GroupOf(InsightKey key) => ServiceKey.Format(key.Tenant, key.Service);

    protected override async Task WriteAsync(KeyValuePair<InsightKey, object?>[] batch, CancellationToken cancellationToken)
    {
        var anomalies = batch.Select(e => e.Value).OfType<AnomalyRecord>().ToArray();
        var cleared = batch.Where(e => e.Key.Kind == InsightKind.Anomaly && e.Value is null).Select(e => e.Key).ToArray();
        var forecasts = batch.Select(e => e.Value).OfType<ForecastRecord>().ToArray();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlBatch(connection, transaction))
        {
            if (anomalies.Length > 0)
            {
                var upsert = new NpgsqlBatchCommand("""
                    INSERT INTO cost_anomalies (tenant_id, "timestamp", service_name, cost_usd, expected_cost, zscore, direction, reason, detected_at)
                    SELECT t.*, now() FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::numeric[], $5::numeric[], $6::float8[], $7::text[], $8::text[]) AS t
                    ON CONFLICT (tenant_id, service_name, "timestamp") DO UPDATE
                    SET cost_usd = EXCLUDED.cost_usd, expected_cost = EXCLUDED.expected_cost, zscore = EXCLUDED.zscore,
                        direction = EXCLUDED.direction, reason = EXCLUDED.reason, detected_at = now()
                    """);
                upsert.Parameters.Add(Texts(anomalies.Select(a => a.Tenant)));
                upsert.Parameters.Add(Times(anomalies.Select(a => a.Hour)));
                upsert.Parameters.Add(Texts(anomalies.Select(a => a.ServiceName)));
                upsert.Parameters.Add(Numbers(anomalies.Select(a => a.CostUsd)));
                upsert.Parameters.Add(Numbers(anomalies.Select(a => a.ExpectedUsd)));
                upsert.Parameters.Add(new NpgsqlParameter<double[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, TypedValue = anomalies.Select(a => a.ZScore).ToArray() });
                upsert.Parameters.Add(Texts(anomalies.Select(a => a.Direction)));
                upsert.Parameters.Add(Texts(anomalies.Select(a => a.Reason)));
                command.BatchCommands.Add(upsert);
            }

            if (cleared.Length > 0)
            {
                var delete = new NpgsqlBatchCommand("""
                    DELETE FROM cost_anomalies a USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(tenant_id, service_name, ts)
                    WHERE a.tenant_id = k.tenant_id AND a.service_name = k.service_name AND a."timestamp" = k.ts
                    """);
                delete.Parameters.Add(Texts(cleared.Select(k => k.Tenant)));
                delete.Parameters.Add(Texts(cleared.Select(k => k.Service)));
                delete.Parameters.Add(Times(cleared.Select(k => k.At)));
                command.BatchCommands.Add(delete);
            }

            if (forecasts.Length > 0)
            {
                var upsert = new NpgsqlBatchCommand("""
                    INSERT INTO cost_forecasts (tenant_id, service_name, month, forecast_usd, lower_usd, upper_usd, budget_usd, forecast_exceeds_budget, computed_at)
                    SELECT t.*, now() FROM unnest($1::text[], $2::text[], $3::date[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::bool[]) AS t
                    ON CONFLICT (tenant_id, service_name, month) DO UPDATE
                    SET forecast_usd = EXCLUDED.forecast_usd, lower_usd = EXCLUDED.lower_usd, upper_usd = EXCLUDED.upper_usd,
                        budget_usd = EXCLUDED.budget_usd, forecast_exceeds_budget = EXCLUDED.forecast_exceeds_budget, computed_at = now()
                    """);
                upsert.Parameters.Add(Texts(forecasts.Select(f => f.Tenant)));
                upsert.Parameters.Add(Texts(forecasts.Select(f => f.ServiceName)));
                upsert.Parameters.Add(new NpgsqlParameter<DateOnly[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date, TypedValue = forecasts.Select(f => DateOnly.FromDateTime(f.Month)).ToArray() });
                upsert.Parameters.Add(Numbers(forecasts.Select(f => f.ForecastUsd)));
                upsert.Parameters.Add(Numbers(forecasts.Select(f => f.LowerUsd)));
                upsert.Parameters.Add(Numbers(forecasts.Select(f => f.UpperUsd)));
                upsert.Parameters.Add(new NpgsqlParameter<decimal?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric, TypedValue = forecasts.Select(f => f.BudgetUsd).ToArray() });
                upsert.Parameters.Add(new NpgsqlParameter<bool[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean, TypedValue = forecasts.Select(f => f.ExceedsBudget).ToArray() });
                command.BatchCommands.Add(upsert);
            }

            if (command.BatchCommands.Count > 0) await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static NpgsqlParameter Texts(IEnumerable<string> values) =>
        new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values.ToArray() };

    private static NpgsqlParameter Numbers(IEnumerable<decimal> values) =>
        new NpgsqlParameter<decimal[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric, TypedValue = values.ToArray() };

    private static NpgsqlParameter Times(IEnumerable<DateTime> values) =>
        new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = values.Select(v => DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToArray() };
}

public enum InsightKind
{
    Anomaly,
    Forecast,
}

public readonly record struct InsightKey(InsightKind Kind, string Tenant, string Service, DateTime At);
