using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>What became of one ingest request: accepted whole (and durable), or rejected whole with the reasons.</summary>
public sealed record IngestOutcome(bool IsAccepted, int Records, int RejectedRecords, int Services, int Buckets, IReadOnlyList<IngestError> Errors)
{
    public static IngestOutcome Accepted(int records, int services, int buckets) => new(true, records, 0, services, buckets, []);

    public static IngestOutcome Rejected(int records, int rejected, IReadOnlyList<IngestError> errors) => new(false, records, rejected, 0, 0, errors);
}
