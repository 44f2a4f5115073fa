using System.Net;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway;

/// <summary>Which silos the gateway talks to, and in which cluster (<see cref="ClusterIdentity"/>). Section "Orleans".</summary>
public sealed class GatewayOptions : ClusterIdentity
{
    /// <summary>Silo gateway endpoints, "host:port" (30000 is the Orleans default).</summary>
    /// <summary>Empty means 127.0.0.1:30000 (a configured list replaces it).</summary>
    public string[] Gateways { get; set; } = [];

    public IPEndPoint[] ResolveGateways()
    {
        var endpoints = Gateways.Length == 0 ? ["127.0.0.1:30000"] : Gateways;
        return endpoints.Select(Resolve).ToArray();
    }

    private static IPEndPoint Resolve(string endpoint)
    {
        if (IPEndPoint.TryParse(endpoint, out var parsed) && parsed.Port != 0) return parsed;
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"Orleans:Gateways entry '{endpoint}' is not host:port");
        }

        var addresses = Dns.GetHostAddresses(endpoint[..colon]);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"Orleans:Gateways host '{endpoint[..colon]}' does not resolve");
        return new IPEndPoint(address, port);
    }
}
