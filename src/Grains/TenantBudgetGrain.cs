using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;

namespace CloudSentinel.Grains;

/// <summary>Holds a tenant's budgets, writes them through to the store and hands each to its service grain.</summary>
public sealed class TenantBudgetGrain(IBudgetStore store) : Grain, ITenantBudgetGrain
{
    private Dictionary<string, decimal> _budgets = new(StringComparer.Ordinal);

    private string Tenant => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _budgets = new Dictionary<string, decimal>(await store.LoadAsync(Tenant, cancellationToken), StringComparer.Ordinal);
        await PublishTotalAsync();
    }

    public Task<IReadOnlyDictionary<string, decimal>> GetAll() => Task.FromResult<IReadOnlyDictionary<string, decimal>>(new Dictionary<string, decimal>(_budgets));

    public Task<decimal?> Get(string serviceName) => Task.FromResult(_budgets.TryGetValue(serviceName, out var amount) ? amount : (decimal?)null);

    public async Task Set(string serviceName, decimal monthlyUsd)
    {
        await store.SaveAsync(Tenant, serviceName, monthlyUsd, CancellationToken.None);
        _budgets[serviceName] = monthlyUsd;
        await NotifyAsync(serviceName, monthlyUsd);
    }

    public async Task<bool> Remove(string serviceName)
    {
        if (!_budgets.ContainsKey(serviceName)) return false;
        await store.SaveAsync(Tenant, serviceName, null, CancellationToken.None);
        _budgets.Remove(serviceName);
        await NotifyAsync(serviceName, null);
        return true;
    }

    private Task NotifyAsync(string serviceName, decimal? monthlyUsd) =>
        serviceName == Budgets.TenantTotal
            ? PublishTotalAsync()
            : GrainFactory.GetGrain<IServiceCostGrain>(ServiceKey.Format(Tenant, serviceName)).SetBudget(monthlyUsd);

    /// <summary>The tenant total has no service grain; its budget reaches the gauges as a snapshot of service "*".</summary>
    private Task PublishTotalAsync()
    {
        _budgets.TryGetValue(Budgets.TenantTotal, out var total);
        var snapshot = new ServiceSnapshot(Tenant, Budgets.TenantTotal, null, [], 0, 0, [], [], 0, 0, [],
            BudgetUsd: _budgets.ContainsKey(Budgets.TenantTotal) ? total : null);
        return GrainFactory.GetGrain<IMetricsShardGrain>(MetricsShards.For(snapshot.Key)).Publish(snapshot);
    }
}
