namespace CloudSentinel.Gateway.Ingest;

/// <summary>The bodies of ingest answers (cost, usage, FOCUS and source backfills): accepted, or refused with the records to blame.</summary>
public static class IngestResponse
{
    public sealed record Ok(int Accepted, int Services, int Buckets);

    public sealed record Error(string Message, int Records, int Rejected, ErrorItem[] Errors);

    public sealed record ErrorItem(long Record, string Field, string Reason);
}
