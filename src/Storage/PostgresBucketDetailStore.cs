using CloudSentinel.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace CloudSentinel.Storage;

/// <summary>Upserts bucket descriptions into service_cost_details in one statement (arrays unnested), the later description replacing the earlier.</summary>
public sealed class PostgresBucketDetailStore(NpgsqlDataSource dataSource) : IBucketDetailStore
{
    private const string Sql = """
        INSERT INTO service_cost_details AS d (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                                               provider_service, region, sub_account_name, billing_currency, usd_rate)
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                             $12::text[], $13::numeric[])
        ON CONFLICT (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown) DO UPDATE
        SET provider_service = EXCLUDED.provider_service, region = EXCLUDED.region, sub_account_name = EXCLUDED.sub_account_name,
            billing_currency = EXCLUDED.billing_currency, usd_rate = EXCLUDED.usd_rate, updated_at = now()
        """;

    public async Task SaveAsync(IReadOnlyCollection<BucketDetail> details, CancellationToken cancellationToken)
    {
        if (details.Count == 0) return;
        await using var command = dataSource.CreateCommand(Sql);
        void Add<T>(Func<BucketDetail, T> value, NpgsqlDbType type) =>
            command.Parameters.Add(new NpgsqlParameter { Value = details.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type });
        Add(d => d.Tenant, NpgsqlDbType.Text);
        Add(d => d.Key.Hour, NpgsqlDbType.TimestampTz);
        Add(d => d.Service, NpgsqlDbType.Text);
        Add(d => d.Key.Provider, NpgsqlDbType.Text);
        Add(d => d.Key.AccountId, NpgsqlDbType.Text);
        Add(d => d.Key.CostType, NpgsqlDbType.Text);
        Add(d => d.Key.Source, NpgsqlDbType.Text);
        Add(d => d.Key.Breakdown, NpgsqlDbType.Text);
        Add(d => d.ProviderService, NpgsqlDbType.Text);
        Add(d => d.Region, NpgsqlDbType.Text);
        Add(d => d.SubAccountName, NpgsqlDbType.Text);
        Add(d => d.BillingCurrency, NpgsqlDbType.Text);
        Add(d => d.UsdRate, NpgsqlDbType.Numeric);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
