using System.Collections.Concurrent;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway.Auth;

/// <summary>Tenant tokens of the in-memory mode (no PostgreSQL): they live as long as this gateway.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly ConcurrentDictionary<string, StoredToken> _tokens = new(StringComparer.Ordinal);

    public Task CreateAsync(StoredToken token, CancellationToken cancellationToken)
    {
        _tokens[token.Id] = token;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredToken>> ListAsync(string? tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredToken>>([.. _tokens.Values.Where(t => tenant is null || t.Tenant == tenant).OrderBy(t => t.CreatedAt)]);

    public Task<bool> RevokeAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_tokens.TryRemove(id, out _));

    public Task<StoredToken?> FindAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_tokens.GetValueOrDefault(id));
}
