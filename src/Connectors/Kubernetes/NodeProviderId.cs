namespace CloudSentinel.Connectors;

/// <summary>
/// A node's <c>provider_id</c> (from <c>kube_node_info</c>) as the resource id its instance is billed
/// under, so a bill's node line without a cluster tag can still be routed to the cluster. The rule
/// (docs/allocation.md, "Nodes"): AWS <c>aws:///zone/i-…</c> → the <c>i-…</c> id; GCE
/// <c>gce://project/zone/name</c> → the instance name; Azure <c>azure:///subscriptions/…</c> → the VM's
/// resource id (<c>/subscriptions/…</c>). All lower-cased, as the router compares them.
/// </summary>
public static class NodeProviderId
{
    /// <summary>The billed instance id, or null with <paramref name="problem"/> saying why the id is not understood.</summary>
    public static string? ToInstanceId(string providerId, out string? problem)
    {
        problem = null;
        var id = providerId.Trim();
        string? instance = null;
        if (id.StartsWith("aws://", StringComparison.OrdinalIgnoreCase))
        {
            var last = id[6..].Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (last is { Length: > 2 } && last.StartsWith("i-", StringComparison.OrdinalIgnoreCase)) instance = last;
        }
        else if (id.StartsWith("gce://", StringComparison.OrdinalIgnoreCase))
        {
            var parts = id[6..].Split('/');
            if (parts.Length == 3 && parts.All(p => p.Length > 0)) instance = parts[2];
        }
        else if (id.StartsWith("azure://", StringComparison.OrdinalIgnoreCase))
        {
            var path = id[8..];
            if (path.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) && path.Contains("/virtualmachines/", StringComparison.OrdinalIgnoreCase)
                && !path.EndsWith('/')) instance = path;
        }

        if (instance is null || instance.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problem = $"provider_id \"{providerId}\" is none of aws:///<zone>/i-<id>, gce://<project>/<zone>/<name>, azure:///subscriptions/…/virtualMachines/<name>: " +
                      "this node's cost is attributed to the cluster only through a cluster tag on its bill";
            return null;
        }

        return instance.ToLowerInvariant();
    }
}
