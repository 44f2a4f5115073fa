namespace CloudSentinel.Grains.Abstractions;

/// <summary>The database refused a request's data (e.g. a value its text type cannot hold); nothing of it was applied.</summary>
public sealed class IngestRefusedException(string message, Exception? inner = null) : Exception(message, inner);
