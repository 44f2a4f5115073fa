using CloudSentinel.Ingestion;
using Microsoft.AspNetCore.Http.Features;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// Reads a request body up to a limit, answering 413 with a clear message beyond it. An oversized
/// body is read to its end and discarded (up to <see cref="DrainLimit"/>), so that the client reads
/// the 413 instead of a reset connection.
/// </summary>
public static class RequestBody
{
    public const long DrainLimit = CostBodyReader.DrainLimit;

    public sealed record Read(ReadOnlyMemory<byte> Bytes, IResult? Problem);

    /// <summary>The limit is enforced by the readers, so that the client gets our message instead of a reset connection.</summary>
    public static void LiftServerLimit(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = null;
    }

    public static IResult TooLarge(long maxBytes) => ApiProblem.Ingest(StatusCodes.Status413PayloadTooLarge,
        $"the request body is larger than the limit of {maxBytes} bytes ({maxBytes / (1024 * 1024)} MiB); split it into smaller batches", 0, 0, []);

    public static async Task<Read> ReadAsync(HttpContext http, long maxBytes)
    {
        LiftServerLimit(http);
        var tooLarge = TooLarge(maxBytes);
        var declared = http.Request.ContentLength;
        var buffer = new MemoryStream(declared is > 0 && declared <= maxBytes ? (int)declared : 64 * 1024);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            total += read;
            if (total <= maxBytes) buffer.Write(chunk, 0, read);
            else if (total > DrainLimit)
            {
                // Past this, the client is not going to stop by itself; drop the connection.
                http.Abort();
                break;
            }
        }

        return total > maxBytes
            ? new Read(ReadOnlyMemory<byte>.Empty, tooLarge)
            : new Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }
}
