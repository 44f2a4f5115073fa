namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// The key of a (tenant, service) grain and its ingest messages: "tenant/service". Tenant names cannot hold '/',
/// so the first '/' always separates the two even when a service name contains one.
/// </summary>
public static class ServiceKey
{
    public static string Format(string tenant, string serviceName) => tenant + "/" + serviceName;

    public static (string Tenant, string ServiceName) Parse(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not a 'tenant/name' key", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
