using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

/// <summary>
/// Folding what a tenant's caps refuse into the overflow: every dollar is kept once, under a source
/// that names where it came from, and nothing is asked of the admission that it need not answer.
/// </summary>
public sealed class ServiceCardinalityTests
{
    private static readonly DateTime Hour = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>Admits names first come, first served, up to a cap per tenant, like the catalog grain.</summary>
    private sealed class CappedAdmission(int cap) : ITenantAdmission
    {
        private readonly Dictionary<string, List<string>> _known = [];
        public List<(string Tenant, string[] Names)> Asked { get; } = [];
        public bool Unavailable { get; set; }

        public Task<string[]> AdmitServicesAsync(string tenant, string[] services) => Admit("service:" + tenant, tenant, services);

        public Task<string[]> AdmitClustersAsync(string tenant, string[] clusters) => Admit("cluster:" + tenant, tenant, clusters);

        private Task<string[]> Admit(string key, string tenant, string[] names)
        {
            if (Unavailable) throw new IngestUnavailableException("the catalog is loading");
            Asked.Add((tenant, names));
            if (!_known.TryGetValue(key, out var known)) _known.Add(key, known = []);
            foreach (var name in names.Where(n => !known.Contains(n) && known.Count < cap)) known.Add(name);
            return Task.FromResult(names.Where(known.Contains).ToArray());
        }
    }

    private sealed class OverflowCounter : IIngestCounter
    {
        public List<(string Tenant, string Kind, int Names)> Overflows { get; } = [];

        public void Accepted(IReadOnlyList<string> tenants, string source) { }

        public void Rejected(IReadOnlyList<string?> tenants, IReadOnlyList<IngestError> errors, string source) { }

        public void Overflowed(string tenant, string kind, int names) => Overflows.Add((tenant, kind, names));
    }

    private static CostBatch Costs(string tenant, string service, decimal usd, string source = "") =>
        new(tenant, service, [new BucketUpdate(new BucketKey("aws", "111", "usage", Hour, "", source), new BucketAmount(usd, 0, 0, 0))]);

    private static UsageRecord Usage(string tenant, string? service) => new()
    {
        Tenant = tenant,
        ClusterName = "prod",
        PeriodStart = Hour,
        PeriodEnd = Hour.AddHours(1),
        Pod = new PodUsage { Namespace = "shop", PodName = $"pod-{service}", ServiceName = service, CpuRequestCoreHours = 1 },
    };

    [Fact]
    public async Task Services_beyond_the_cap_keep_their_money_in_the_overflow_under_their_own_source()
    {
        var admission = new CappedAdmission(cap: 2);
        var counter = new OverflowCounter();
        var cardinality = new ServiceCardinality(admission, counter);

        var folded = await cardinality.FoldAsync([Costs("acme", "api", 1m), Costs("acme", "web", 2m), Costs("acme", "batch", 3m, "focus"), Costs("acme", "etl", 4m)]);

        Assert.Equal(["api", "web", CostVocabulary.OverflowService], folded.Select(b => b.ServiceName));
        var overflow = folded.Single(b => b.ServiceName == CostVocabulary.OverflowService);
        Assert.Equal(["overflow:batch|focus", "overflow:etl"], overflow.Updates.Select(u => u.Key.Source));
        Assert.Equal(10m, folded.SelectMany(b => b.Updates).Sum(u => u.Amount.CostUsd));
        Assert.Equal([("acme", ServiceCardinality.ServiceKind, 2)], counter.Overflows);
    }

    [Fact]
    public async Task Everything_admitted_leaves_the_batches_as_they_are_and_the_overflow_is_never_asked_about()
    {
        var admission = new CappedAdmission(cap: 5);
        var batches = new[] { Costs("acme", "api", 1m), Costs("acme", CostVocabulary.OverflowService, 2m), Costs("globex", "api", 3m) };

        var folded = await new ServiceCardinality(admission, new OverflowCounter()).FoldAsync(batches);

        Assert.Same(batches, folded);
        Assert.Equal([("acme", new[] { "api" }), ("globex", new[] { "api" })], admission.Asked.Select(a => (a.Tenant, a.Names)));
    }

    [Fact]
    public async Task Caps_are_per_tenant()
    {
        var folded = await new ServiceCardinality(new CappedAdmission(cap: 1), new OverflowCounter())
            .FoldAsync([Costs("acme", "api", 1m), Costs("acme", "web", 2m), Costs("globex", "web", 3m)]);

        Assert.Equal([("acme", "api"), ("globex", "web"), ("acme", CostVocabulary.OverflowService)], folded.Select(b => (b.Tenant, b.ServiceName)));
    }

    [Fact]
    public async Task Pods_of_refused_services_are_charged_to_the_overflow_and_untagged_pods_count_as_a_service()
    {
        var admission = new CappedAdmission(cap: 2);
        var records = new[] { Usage("acme", "api"), Usage("acme", null), Usage("acme", "web") };

        var folded = await new ServiceCardinality(admission, new OverflowCounter()).FoldAsync(records);

        Assert.Equal(["api", null, CostVocabulary.OverflowService], folded.Select(r => r.Pod.ServiceName));
        Assert.Equal(["pod-api", "pod-", "pod-web"], folded.Select(r => r.Pod.PodName));
        Assert.Equal([CostVocabulary.UntaggedService, "web"], admission.Asked.Single().Names.Skip(1));
    }

    [Fact]
    public async Task Clusters_beyond_the_cap_pool_their_inputs_with_the_cluster_in_source_and_namespace()
    {
        var cost = new ClusterCostUpdate(new ClusterCostKey("aws", "111", "usage", ClusterComponents.Node, "", Hour, ""), new ClusterCostAmount(5m, 0, 0, 0, 0, 0));
        var pod = PodUsageUpdate(new PodUsage { Namespace = "shop", PodName = "p1", CpuRequestCoreHours = 1 });
        var counter = new OverflowCounter();

        var folded = await new ServiceCardinality(new CappedAdmission(cap: 1), counter)
            .FoldAsync([new ClusterInputBatch("acme", "prod", [cost], [pod]), new ClusterInputBatch("acme", "dev", [cost], [pod])]);

        Assert.Equal(["prod", CostVocabulary.OverflowService], folded.Select(b => b.Cluster));
        var pooled = folded[1];
        Assert.Equal(CostVocabulary.OverflowSource("dev", ""), pooled.Costs.Single().Key.Source);
        Assert.Equal("dev/shop", pooled.Usage.Single().Key.Namespace);
        Assert.Equal([("acme", ServiceCardinality.ClusterKind, 1)], counter.Overflows);
    }

    [Fact]
    public async Task An_admission_that_cannot_answer_fails_the_fold_as_unavailable()
    {
        var cardinality = new ServiceCardinality(new CappedAdmission(cap: 1) { Unavailable = true }, new OverflowCounter());

        await Assert.ThrowsAsync<IngestUnavailableException>(() => cardinality.FoldAsync([Costs("acme", "api", 1m)]));
    }

    private static PodUsageUpdate PodUsageUpdate(PodUsage pod) => new(PodUsageKey.Of(Hour, pod), PodUsageAmount.Of(pod));
}
