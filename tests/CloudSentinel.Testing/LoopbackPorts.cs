using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudSentinel.Testing;

/// <summary>
/// Ports for the servers tests and benchmarks start on 127.0.0.1. A port the kernel hands out for
/// port 0 comes from its ephemeral range, which every outgoing connection of every test process
/// draws from too, so between the pick and the server's bind another process's connection could take
/// it ("Address already in use", seen when the test projects ran side by side). These come from below
/// that range instead, each process from an offset of its own, and each is checked by binding it.
/// </summary>
public static class LoopbackPorts
{
    private const int Span = 10_000;
    private static readonly int First = BelowEphemeralRange();
    private static int _next = Environment.ProcessId * 211 % Span;

    public static int Next()
    {
        if (First <= 0) return KernelPick();
        for (var tries = 0; tries < Span; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Span);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{First + Span - 1}");
    }

    /// <summary>The Span ports below the ephemeral range's first port, or 0 when there is no room for them (then the kernel picks).</summary>
    private static int BelowEphemeralRange()
    {
        var low = 32_768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            low = int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: Linux's default range.
        }

        return low - Span >= 10_000 ? low - Span : 0;
    }

    private static int KernelPick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
