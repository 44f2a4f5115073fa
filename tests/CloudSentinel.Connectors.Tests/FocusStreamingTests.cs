using System.Text;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class FocusStreamingTests
{
    [Fact]
    public async Task A_50_MB_file_is_imported_with_bounded_memory()
    {
        const int rows = 150_000;
        var file = new GeneratedCsv(rows);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var progress = new SynchronousProgress(_ => peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline));

        var result = await new FocusImporter().ImportAsync(file, "acme", progress);

        Assert.True(file.BytesServed > 50_000_000, $"only {file.BytesServed} bytes were generated");
        Assert.Equal(rows, result.RowsRead);
        Assert.Equal(0, result.RowsRejected);
        Assert.Equal(3 * 24, result.Records.Count);
        Assert.Equal(rows * 0.01m, result.Records.Sum(r => r.CostUsd));
        Assert.True(peak < 16_000_000, $"live memory grew by {peak} bytes while streaming");
    }

    /// <summary>IProgress that reports on the caller's thread, so the peak is measured in the middle of the import.</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>A FOCUS CSV produced on the fly: the test itself never holds the file.</summary>
    private sealed class GeneratedCsv(int rows) : Stream
    {
        private static readonly string[] Services = ["web", "api", "batch"];
        private readonly string _padding = new('x', 200);
        private byte[] _pending = Encoding.UTF8.GetBytes(string.Join(",", FocusFiles.V10) + "\n");
        private int _offset;
        private int _row;

        public long BytesServed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset == _pending.Length)
            {
                if (_row == rows) return 0;
                _pending = Encoding.UTF8.GetBytes(NextRow());
                _offset = 0;
            }

            var n = Math.Min(count, _pending.Length - _offset);
            Array.Copy(_pending, _offset, buffer, offset, n);
            _offset += n;
            BytesServed += n;
            return n;
        }

        private string NextRow()
        {
            var i = _row++;
            var hour = i / 3 % 24;
            var row = FocusFiles.Row(
                ("EffectiveCost", "0.01"), ("ChargeDescription", $"usage of \"item\" {i}, {_padding}"),
                ("ChargePeriodStart", $"2024-03-01T{hour:00}:00:00Z"), ("ChargePeriodEnd", $"2024-03-01T{hour:00}:59:59Z"),
                ("ResourceId", $"i-{i}"), ("Tags", $$"""{"application":"{{Services[i % 3]}}","row":"{{i}}"}"""));
            return FocusFiles.Csv(FocusFiles.V10, [row])[(string.Join(",", FocusFiles.V10).Length + 2)..];
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
