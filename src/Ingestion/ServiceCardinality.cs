using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Keeps each tenant under its cap of distinct services (the <see cref="ITenantAdmission"/>
/// decides): a record of a service beyond the cap is folded into <see cref="CostVocabulary.OverflowService"/>
/// with its own name kept in the bucket's source, so its money is counted exactly once and its
/// restatements replace only its own amounts, while grains and series stay bounded.
/// </summary>
public sealed class ServiceCardinality(ITenantAdmission admission, IIngestCounter counter)
{
    public const string ServiceKind = "service";
    public const string ClusterKind = "cluster";

    /// <summary>
    /// Inputs of clusters beyond the tenant's cap are pooled in the cluster <see cref="CostVocabulary.OverflowService"/>:
    /// cost buckets keep their cluster in the source and pods in the namespace ("cluster/namespace"),
    /// so nothing of two clusters replaces the other, and every dollar is allocated once.
    /// </summary>
    public async Task<IReadOnlyList<ClusterInputBatch>> FoldAsync(IReadOnlyList<ClusterInputBatch> batches)
    {
        var folded = new List<ClusterInputBatch>(batches.Count);
        foreach (var tenant in batches.GroupBy(b => b.Tenant, StringComparer.Ordinal))
        {
            var names = tenant.Select(b => b.Cluster).Where(c => c != CostVocabulary.OverflowService).Distinct(StringComparer.Ordinal).ToArray();
            var admitted = names.Length == 0 ? [] : (await admission.AdmitClustersAsync(tenant.Key, names)).ToHashSet(StringComparer.Ordinal);
            var pooled = tenant.Where(b => b.Cluster != CostVocabulary.OverflowService && !admitted.Contains(b.Cluster)).ToList();
            folded.AddRange(tenant.Except(pooled));
            if (pooled.Count == 0) continue;
            counter.Overflowed(tenant.Key, ClusterKind, pooled.Count);
            folded.Add(new ClusterInputBatch(tenant.Key, CostVocabulary.OverflowService,
                [.. pooled.SelectMany(b => b.Costs.Select(c => c with { Key = c.Key with { Source = CostVocabulary.OverflowSource(b.Cluster, c.Key.Source) } }))],
                [.. pooled.SelectMany(b => b.Usage.Select(u => u with { Key = u.Key with { Namespace = $"{b.Cluster}/{u.Key.Namespace}" } }))]));
        }

        return folded;
    }

    /// <summary>
    /// The buckets of services beyond the cap go to the overflow service, each keeping its service's
    /// name in its source, so that the sums and restatements of different services never meet.
    /// </summary>
    public async Task<IReadOnlyList<CostBatch>> FoldAsync(IReadOnlyList<CostBatch> batches)
    {
        var admitted = await AdmitAsync(batches.Select(b => (b.Tenant, b.ServiceName)));
        if (admitted is null) return batches;
        var kept = new List<CostBatch>(batches.Count);
        var overflow = new Dictionary<string, List<BucketUpdate>>(StringComparer.Ordinal);
        foreach (var batch in batches)
        {
            if (batch.ServiceName != CostVocabulary.OverflowService && !admitted.Contains((batch.Tenant, batch.ServiceName)))
            {
                if (!overflow.TryGetValue(batch.Tenant, out var updates)) overflow.Add(batch.Tenant, updates = []);
                updates.AddRange(batch.Updates.Select(u => u with { Key = u.Key with { Source = CostVocabulary.OverflowSource(batch.ServiceName, u.Key.Source) } }));
            }
            else if (batch.ServiceName == CostVocabulary.OverflowService)
            {
                if (!overflow.TryGetValue(batch.Tenant, out var updates)) overflow.Add(batch.Tenant, updates = []);
                updates.AddRange(batch.Updates);
            }
            else
            {
                kept.Add(batch);
            }
        }

        kept.AddRange(overflow.Select(o => new CostBatch(o.Key, CostVocabulary.OverflowService, [.. o.Value])));
        return kept;
    }

    /// <summary>Pods of services beyond the cap are charged to the overflow service by the allocation.</summary>
    public async Task<IReadOnlyList<UsageRecord>> FoldAsync(IReadOnlyList<UsageRecord> records)
    {
        static (string Tenant, string Service) Pair(UsageRecord r) => (r.Tenant, r.Pod.Service);
        var admitted = await AdmitAsync(records.Select(Pair));
        return admitted is null
            ? records
            : [.. records.Select(r => admitted.Contains(Pair(r)) ? r : r with { Pod = r.Pod with { ServiceName = CostVocabulary.OverflowService } })];
    }

    /// <summary>The admitted (tenant, service) pairs, or null when all of them are.</summary>
    private async Task<HashSet<(string Tenant, string Service)>?> AdmitAsync(IEnumerable<(string Tenant, string Service)> pairs)
    {
        var admitted = new HashSet<(string, string)>();
        var anyRefused = false;
        foreach (var tenant in pairs.Where(p => p.Service != CostVocabulary.OverflowService).Distinct().GroupBy(p => p.Tenant, p => p.Service, StringComparer.Ordinal))
        {
            var asked = tenant.ToArray();
            var yes = await admission.AdmitServicesAsync(tenant.Key, asked);
            foreach (var service in yes) admitted.Add((tenant.Key, service));
            if (yes.Length == asked.Length) continue;
            anyRefused = true;
            counter.Overflowed(tenant.Key, ServiceKind, asked.Length - yes.Length);
        }

        return anyRefused ? admitted : null;
    }
}
