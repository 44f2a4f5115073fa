namespace CloudSentinel.Storage.Queries;

/// <summary>
/// A read that only PostgreSQL can answer, asked of a gateway that runs without it (the in-memory mode).
/// The message says what to configure; the gateway answers it with 503 in one place, so no endpoint has
/// to ask whether there is a database.
/// </summary>
public sealed class StorageUnavailableException(string message) : Exception(message);
