namespace CloudSentinel.Storage.Queries;

/// <summary>What a take from a tenant's bucket found: taken, or refused with the tokens available then (for Retry-After).</summary>
public sealed record RateBucketTake(bool Taken, double Available);
