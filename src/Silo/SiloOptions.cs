using System.Net;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Silo;

/// <summary>Where the silo listens and which cluster it joins (<see cref="ClusterIdentity"/>). Section "Orleans".</summary>
public sealed class SiloOptions : ClusterIdentity
{
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and gateways reach this silo on (PostgreSQL membership publishes it):
    /// an IP address, or "auto" for the host's first non-loopback IPv4 address (containers).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public IPAddress ResolveAdvertisedAddress()
    {
        if (!string.Equals(AdvertisedAddress, "auto", StringComparison.OrdinalIgnoreCase)) return IPAddress.Parse(AdvertisedAddress);
        return Dns.GetHostAddresses(Dns.GetHostName())
                   .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
               ?? throw new ArgumentException("Orleans:AdvertisedAddress is 'auto' but this host has no non-loopback IPv4 address; set it explicitly");
    }

    /// <summary>Listen on every interface rather than only <see cref="AdvertisedAddress"/> (containers).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>The first silo's endpoint, for a second silo joining a localhost (in-memory mode) cluster.</summary>
    public string? PrimarySiloEndpoint { get; set; }

    public void Validate()
    {
        if (SiloPort is <= 0 or > 65535) throw new ArgumentException("Orleans:SiloPort must be a TCP port");
        if (GatewayPort is <= 0 or > 65535) throw new ArgumentException("Orleans:GatewayPort must be a TCP port");
        if (!IPAddress.TryParse(AdvertisedAddress, out _) && !string.Equals(AdvertisedAddress, "auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Orleans:AdvertisedAddress '{AdvertisedAddress}' is neither an IP address nor 'auto'");
        }
        if (PrimarySiloEndpoint is not null && !IPEndPoint.TryParse(PrimarySiloEndpoint, out _))
        {
            throw new ArgumentException($"Orleans:PrimarySiloEndpoint '{PrimarySiloEndpoint}' is not an IP:port endpoint");
        }
    }
}
