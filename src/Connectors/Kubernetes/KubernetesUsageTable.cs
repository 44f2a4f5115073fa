
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Folds the series of a poll's queries into one usage record per pod and UTC hour, in the fields the
/// JSON endpoint takes (<see cref="UsageRecordFields"/>), so the records go through the same validation
/// and ingest as posted usage and allocate exactly the same.
/// </summary>
public sealed class KubernetesUsageTable(KubernetesUsageOptions options)
{
    private const long HourMs = 3_600_000;

    /// <summary>Prometheus floats carry binary noise (0.49999999999); quantities are rounded to 1e-6 core-hours or GiB-hours.</summary>
    public const int Decimals = 6;

    private readonly Dictionary<(DateTime Hour, string Namespace, string Pod), PodHour> _rows = new();

    /// <summary>The hour a point belongs to: a point stamped h + 1 h − 1 ms holds the samples of [h, h + 1 h).</summary>
    public static DateTime HourOf(long timestampMs) =>
        DateTime.UnixEpoch.AddMilliseconds(((timestampMs + 1) / HourMs - 1) * HourMs);

    /// <summary>The time a range query evaluates the hour starting at <paramref name="hour"/>.</summary>
    public static DateTime EvaluationTime(DateTime hour) => hour.AddHours(1).AddMilliseconds(-1);

    public int PodHours => _rows.Count;

    public void Add(UsageQuantity quantity, PrometheusSeries series)
    {
        var labels = series.Labels;
        if (!labels.TryGetValue("namespace", out var ns) || !labels.TryGetValue("pod", out var pod) || ns.Length == 0 || pod.Length == 0) return;
        foreach (var (timestamp, value) in series.Points)
        {
            var key = (HourOf(timestamp), ns, pod);
            if (!_rows.TryGetValue(key, out var row)) _rows[key] = row = new PodHour();
            switch (quantity)
            {
                case UsageQuantity.CpuRequest: row.CpuRequest = row.CpuRequest.GetValueOrDefault() + value; break;
                case UsageQuantity.CpuUsage: row.CpuUsage = row.CpuUsage.GetValueOrDefault() + value; break;
                case UsageQuantity.MemoryRequest: row.MemoryRequest = row.MemoryRequest.GetValueOrDefault() + value; break;
                case UsageQuantity.MemoryUsage: row.MemoryUsage = row.MemoryUsage.GetValueOrDefault() + value; break;
                case UsageQuantity.Storage:
                    // A claim without a storage class cannot be priced by a class: it joins no pool.
                    if (labels.GetValueOrDefault("storageclass") is { Length: > 0 } storageClass)
                    {
                        row.Storage[storageClass] = row.Storage.GetValueOrDefault(storageClass) + value;
                    }

                    break;
                case UsageQuantity.Labels:
                    foreach (var name in options.ServiceLabels)
                    {
                        if (labels.GetValueOrDefault(KubernetesUsageQueries.PrometheusLabel(name)) is { Length: > 0 } v) row.Labels.Add((name, v));
                    }

                    break;
                case UsageQuantity.Owner:
                    if (labels.GetValueOrDefault("owner_name") is { Length: > 0 } owner && owner != "<none>")
                    {
                        row.Owners.Add(Workload(labels.GetValueOrDefault("owner_kind") ?? "", owner));
                    }

                    break;
                case UsageQuantity.LoadBalancer:
                    if (labels.GetValueOrDefault("service") is { Length: > 0 } service) row.LoadBalancers.Add($"{ns}/{service}");
                    break;
            }
        }
    }

    /// <summary>One record per pod hour that has CPU, memory or storage figures, ordered by hour, namespace, pod.</summary>
    public List<UsageRecordFields> ToRecords()
    {
        var records = new List<UsageRecordFields>(_rows.Count);
        foreach (var ((hour, ns, pod), row) in _rows.OrderBy(r => r.Key.Hour).ThenBy(r => r.Key.Namespace, StringComparer.Ordinal).ThenBy(r => r.Key.Pod, StringComparer.Ordinal))
        {
            if (row.CpuRequest is null && row.CpuUsage is null && row.MemoryRequest is null && row.MemoryUsage is null && row.Storage.Count == 0) continue;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            // Several label sets in one hour (a relabelled pod): the ordinally first value, so a re-read gives the same record.
            foreach (var (name, value) in row.Labels.Order()) labels.TryAdd(name, value);
            var service = options.ServiceLabels.Select(labels.GetValueOrDefault).FirstOrDefault(v => v is not null)
                ?? (options.ServiceFallback == KubernetesUsageOptions.Owner ? row.Owners.Order(StringComparer.Ordinal).FirstOrDefault() : null)
                ?? ns;
            // The usage record has one storage type: a pod with claims of several classes is charged for its largest class.
            var storage = row.Storage.Select(s => (Class: s.Key, GiBHours: Round(s.Value)))
                .OrderByDescending(s => s.GiBHours).ThenBy(s => s.Class, StringComparer.Ordinal).FirstOrDefault();
            records.Add(new UsageRecordFields
            {
                Index = records.Count,
                Tenant = options.Tenant,
                ClusterName = options.ClusterName,
                Namespace = ns,
                PodName = pod,
                ServiceName = service,
                Labels = labels.Count > 0 ? labels : null,
                PeriodStart = hour,
                PeriodEnd = hour.AddHours(1),
                CpuRequestCoreHours = Round(row.CpuRequest),
                CpuUsageCoreHours = Round(row.CpuUsage),
                MemoryRequestGbHours = Round(row.MemoryRequest),
                MemoryUsageGbHours = Round(row.MemoryUsage),
                StorageType = storage.GiBHours > 0 ? storage.Class : null,
                StorageGbHours = storage.GiBHours > 0 ? storage.GiBHours : null,
                LoadBalancer = row.LoadBalancers.Order(StringComparer.Ordinal).FirstOrDefault(),
            });
        }

        return records;
    }

    /// <summary>A ReplicaSet's name is its Deployment's plus a hash; the Deployment is the workload people name.</summary>
    public static string Workload(string kind, string name)
    {
        if (kind != "ReplicaSet") return name;
        var dash = name.LastIndexOf('-');
        return dash > 0 ? name[..dash] : name;
    }

    private static decimal Round(double? value)
    {
        if (value is not { } v || !(v > 0)) return 0m;
        // Beyond this the value is a broken metric; the validator's limit refuses it with a clear reason.
        var exact = v < 1e15 ? (decimal)v : 1e15m;
        return Math.Round(exact, Decimals, MidpointRounding.AwayFromZero);
    }

    private sealed class PodHour
    {
        public double? CpuRequest { get; set; }
        public double? CpuUsage { get; set; }
        public double? MemoryRequest { get; set; }
        public double? MemoryUsage { get; set; }
        public Dictionary<string, double> Storage { get; } = new(StringComparer.Ordinal);
        public List<(string Name, string Value)> Labels { get; } = [];
        public List<string> Owners { get; } = [];
        public List<string> LoadBalancers { get; } = [];
    }
}
