namespace CloudSentinel.Storage.IngestLog;

/// <summary>The kind column of ingest_log: which grain a row's payload is for.</summary>
public enum IngestMessageKind : short
{
    /// <summary>A CostBatch for the service grain named by the row's target ("tenant/service").</summary>
    ServiceCosts = 1,

    /// <summary>A ClusterInputBatch for the cluster grain named by the row's target ("tenant/cluster").</summary>
    ClusterInputs = 2,
}
