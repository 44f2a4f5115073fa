namespace CloudSentinel.Storage.Queries;

/// <summary>How far behind the ingest log is: messages no grain has applied yet, the age of the oldest (0 when empty), and dead letters.</summary>
public sealed record IngestLogDepth(long PendingMessages, double OldestAgeSeconds, long DeadLetters);
