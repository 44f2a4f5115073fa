using System.Net;

namespace CloudSentinel.Silo;

/// <summary>Where the silo listens and which cluster it joins. Section "Orleans".</summary>
public sealed class SiloOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "cloudsentinel";
    public string ServiceId { get; set; } = "cloudsentinel";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The first silo's endpoint, for a second silo joining a localhost (development) cluster.</summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>Queues of the in-memory cost stream; more queues spread delivery over more pulling agents.</summary>
    public int StreamQueues { get; set; } = 8;

    public void Validate()
    {
        if (SiloPort is <= 0 or > 65535) throw new ArgumentException("Orleans:SiloPort must be a TCP port");
        if (GatewayPort is <= 0 or > 65535) throw new ArgumentException("Orleans:GatewayPort must be a TCP port");
        if (StreamQueues is < 1 or > 256) throw new ArgumentException("Orleans:StreamQueues must be 1 to 256");
        if (PrimarySiloEndpoint is not null && !IPEndPoint.TryParse(PrimarySiloEndpoint, out _))
        {
            throw new ArgumentException($"Orleans:PrimarySiloEndpoint '{PrimarySiloEndpoint}' is not an IP:port endpoint");
        }
    }
}
