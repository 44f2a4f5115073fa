namespace CloudSentinel.Core;

/// <summary>Why one input record was rejected: which record, which field, and why.</summary>
/// <param name="Record">Zero-based index in the request, or the line number for files.</param>
public sealed record IngestError(long Record, string Field, string Reason)
{
    public override string ToString() => $"record {Record}: field '{Field}': {Reason}";
}
