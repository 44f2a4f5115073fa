using System.IO.Compression;

namespace CloudSentinel.Connectors;

/// <summary>
/// Decompresses gzip and, at the end, checks the trailer (CRC-32 and length of the data, RFC 1952)
/// against what came out. .NET's GZipStream ends quietly on a truncated upload, which would load
/// the rows before the cut and call the file good; this turns a cut or corrupt file into a
/// <see cref="FocusFileException"/>, so nothing from it is loaded. Exports are single-member gzip;
/// a concatenation of several gzip files is refused by this check (decompress and send it whole).
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private static readonly uint[] Table = BuildTable();

    private readonly TailKeepingStream _compressed;
    private readonly GZipStream _gzip;
    private uint _crc = 0xFFFFFFFF;
    private long _length;
    private bool _checked;

    public CheckedGzipStream(Stream compressed)
    {
        _compressed = new TailKeepingStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _gzip.ReadAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new FocusFileException(0, $"the gzip data is corrupt ({ex.Message})");
        }

        if (read > 0)
        {
            Update(buffer.Span[..read]);
            return read;
        }

        if (!_checked) Check();
        return 0;
    }

    private void Update(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
        _length += data.Length;
    }

    private void Check()
    {
        _checked = true;
        var tail = _compressed.Tail;
        if (tail.Length < 8) throw new FocusFileException(0, "the gzip file is truncated (no trailer)");
        var expectedCrc = BitConverter.ToUInt32(tail, tail.Length - 8);
        var expectedLength = BitConverter.ToUInt32(tail, tail.Length - 4);
        if ((_crc ^ 0xFFFFFFFF) != expectedCrc || (uint)_length != expectedLength)
        {
            throw new FocusFileException(0, $"the gzip file is truncated or corrupt: {_length} bytes decompressed, which do not match its trailer");
        }
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }

        return table;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Passes bytes through and remembers the last 8, where gzip keeps its trailer.</summary>
    private sealed class TailKeepingStream(Stream inner) : Stream
    {
        private readonly byte[] _tail = new byte[8];
        private int _held;

        public byte[] Tail => _tail[.._held];

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Keep(buffer.AsSpan(offset, read));
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Keep(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Keep(ReadOnlySpan<byte> data)
        {
            if (data.Length == 0) return;
            var joined = new byte[_held + data.Length];
            _tail.AsSpan(0, _held).CopyTo(joined);
            data.CopyTo(joined.AsSpan(_held));
            var last = joined.AsSpan(Math.Max(0, joined.Length - 8));
            last.CopyTo(_tail);
            _held = last.Length;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
