namespace CloudSentinel.Connectors;

/// <summary>
/// Recognises the container by its first bytes rather than by a file name, which HTTP bodies and
/// pipes do not have: gzip (1F 8B), Parquet ("PAR1"), else CSV text.
/// </summary>
internal static class FocusFileOpener
{
    public static async Task<IFocusTable> OpenAsync(Stream input, CancellationToken ct)
    {
        var start = input.CanSeek ? input.Position : 0;
        var magic = new byte[4];
        var read = await input.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, ct);
        var head = magic.AsMemory(0, read);

        if (read >= 4 && magic is [(byte)'P', (byte)'A', (byte)'R', (byte)'1'])
        {
            var seekable = await SeekableAsync(input, start, head, ct);
            return await ParquetFocusTable.OpenAsync(seekable, seekable == input ? null : seekable, ct);
        }

        var rest = new PrefixedStream(head, input);
        if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            return await CsvFocusTable.OpenAsync(new CheckedGzipStream(rest), ct);
        }

        return await CsvFocusTable.OpenAsync(rest, ct);
    }

    /// <summary>
    /// Parquet keeps its schema at the end of the file, so the reader must seek. A stream that
    /// cannot is spooled to a temporary file, which keeps memory flat for large uploads.
    /// </summary>
    private static async Task<Stream> SeekableAsync(Stream input, long start, ReadOnlyMemory<byte> head, CancellationToken ct)
    {
        if (input.CanSeek)
        {
            input.Position = start;
            return input;
        }

        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await spool.WriteAsync(head, ct);
        await input.CopyToAsync(spool, ct);
        spool.Position = 0;
        return spool;
    }
}
