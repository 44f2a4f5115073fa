namespace CloudSentinel.Storage.Queries;

/// <summary>A tenant token as stored: its hash, never the token.</summary>
public sealed record StoredToken(string Id, string Tenant, string[] Roles, byte[] Hash, DateTime CreatedAt);
