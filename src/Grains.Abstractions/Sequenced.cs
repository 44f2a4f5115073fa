namespace CloudSentinel.Grains.Abstractions;

/// <summary>A value and the sequence of the ingest message that wrote it (0: before the ingest log).</summary>
public readonly record struct Sequenced<T>(T Item, long Sequence);
