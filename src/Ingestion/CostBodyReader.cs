using System.Buffers;

namespace CloudSentinel.Ingestion;

/// <summary>What reading a cost body from its stream came to.</summary>
/// <param name="TooLarge">The body ran past the limit: nothing of it counts (the scan is of its start only).</param>
/// <param name="Abandoned">The body ran past <see cref="CostBodyReader.DrainLimit"/> too: the sender is not going to stop, drop the connection.</param>
public sealed record CostBodyRead(RecordScan Scan, bool TooLarge, bool Abandoned);

/// <summary>
/// Reads a cost ingest body from its stream through one window of bytes (64 KiB, grown only for a
/// record longer than that), handing each window to a <see cref="CostBodyParser"/> that checks
/// and folds the records into the request: the body is never held whole.
/// </summary>
public static class CostBodyReader
{
    /// <summary>How far past the limit an oversized body is still read and discarded, so that its sender gets the 413.</summary>
    public const long DrainLimit = 1L << 30;

    public const int WindowBytes = 64 * 1024;

    public static async Task<CostBodyRead> ReadAsync(
        Stream body, long maxBytes, int maxRecords, CostRequest request, CancellationToken cancellationToken, int windowBytes = WindowBytes)
    {
        var parser = new CostBodyParser(request, maxRecords);
        var window = ArrayPool<byte>.Shared.Rent(windowBytes);
        var (filled, total) = (0, 0L);
        try
        {
            while (true)
            {
                // Fill the window before parsing, so that a record cut by the window's end is read again once per window, not once per network read.
                var read = await body.ReadAsync(window.AsMemory(filled), cancellationToken);
                total += read;
                if (total > maxBytes) return await DrainAsync(body, window, total, parser, cancellationToken);
                if (parser.Done)
                {
                    // After a fatal error only the size still matters: a body over the limit is answered 413 whatever it holds.
                    if (read == 0) break;
                    continue;
                }

                filled += read;
                if (read > 0 && filled < window.Length) continue;
                var consumed = parser.Parse(window.AsSpan(0, filled), final: read == 0);
                if (read == 0) break;
                window.AsSpan(consumed, filled - consumed).CopyTo(window);
                filled -= consumed;
                if (filled == window.Length) window = Grown(window);
            }

            return new CostBodyRead(parser.Scan, false, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    private static byte[] Grown(byte[] window)
    {
        var grown = ArrayPool<byte>.Shared.Rent(window.Length * 2);
        window.CopyTo(grown, 0);
        ArrayPool<byte>.Shared.Return(window);
        return grown;
    }

    private static async Task<CostBodyRead> DrainAsync(Stream body, byte[] window, long total, CostBodyParser parser, CancellationToken cancellationToken)
    {
        int read;
        while (total <= DrainLimit && (read = await body.ReadAsync(window, cancellationToken)) > 0) total += read;
        return new CostBodyRead(parser.Scan, true, total > DrainLimit);
    }
}
