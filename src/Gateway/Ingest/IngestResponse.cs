namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// The bodies of ingest answers (cost, usage, FOCUS): accepted, or the items of a refusal's <c>errors</c>
/// member (the refusal itself is an <see cref="ApiProblem.Ingest"/> problem).
/// </summary>
public static class IngestResponse
{
    public sealed record Ok(int Accepted, int Services, int Buckets);

    public sealed record ErrorItem(long Record, string Field, string Reason);
}
