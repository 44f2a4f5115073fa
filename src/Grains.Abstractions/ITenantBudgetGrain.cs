using Orleans.Concurrency;

namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// The monthly budgets of one tenant (key: tenant), per service and for the tenant in total
/// (service "*"). Setting one stores it durably, then tells the service grain.
/// </summary>
public interface ITenantBudgetGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<IReadOnlyDictionary<string, decimal>> GetAll();

    /// <summary>Interleaves: a service grain activated by <see cref="Set"/> asks for its budget while Set waits on it.</summary>
    [AlwaysInterleave]
    Task<decimal?> Get(string serviceName);

    Task Set(string serviceName, decimal monthlyUsd);

    /// <summary>Returns false when there was no such budget.</summary>
    Task<bool> Remove(string serviceName);
}

public static class Budgets
{
    /// <summary>The service name of a tenant's total budget.</summary>
    public const string TenantTotal = "*";
}
