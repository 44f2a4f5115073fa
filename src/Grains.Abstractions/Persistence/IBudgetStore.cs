namespace CloudSentinel.Grains.Abstractions.Persistence;

/// <summary>Monthly budgets, stored at once (a PUT answers only after the budget is durable).</summary>
public interface IBudgetStore
{
    Task<IReadOnlyDictionary<string, decimal>> LoadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Sets a budget, or removes it when <paramref name="monthlyUsd"/> is null.</summary>
    Task SaveAsync(string tenant, string serviceName, decimal? monthlyUsd, CancellationToken cancellationToken);
}
