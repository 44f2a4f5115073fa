using System.Text;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

/// <summary>
/// The streamed, allocation-free reader of cost bodies (CostBodyReader, CostBodyParser,
/// CostLineItemReader): every body gives exactly what reading it whole with the record-object
/// parser gives (records, type errors, fatal error, validation errors, tenants, buckets), however
/// the body is cut into network reads and windows.
/// </summary>
public sealed class CostBodyReaderTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private const string Full =
        """{"tenant":"acme","service_name":" checkout ","cloud_provider":" AWS","cost_type":"Compute","period_start":"2026-11-25T09:30:00Z","period_end":"2026-11-25T11:30:00Z","cost_usd":3.3,"account_id":" 1234 ","sub_account_id":"sub-1","provider_service":"AmazonEC2","service_category":"Compute","region":"eu-zürich-1","resource_id":"i-0abc/def","source":" cur ","cpu_cost_usd":1.2,"memory_cost_usd":0.9,"tags":{"team":"payments","env":"prod"},"extra":[1,{"a":null}]}""";

    private const string Storage =
        """{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"storage","period_start":"2026-11-25T09:00:00Z","cost_usd":0.5,"storage_type":" gp3 ","storage_gb":100}""";

    private const string Network =
        """{"tenant":"acme","service_name":"checkout","cloud_provider":"gcp","cost_type":"network","period_start":"2026-11-25T09:00:00+01:00","cost_usd":0.25,"direction":"Egress"}""";

    private const string Plain =
        """{"tenant":"acme","service_name":"search","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T10:00:00Z","cost_usd":1.25,"region":"us-east-1"}""";

    public static TheoryData<string> Bodies() =>
    [
        $"[{Full},{Storage},{Network},{Plain}]",
        $"{Full}\n{Storage}\r\n\n  \n{Network}\n{Plain}",
        $"\uFEFF[{Plain}, {Plain}]  \n",
        $"\uFEFF{Plain}\n{Plain}\n",
        $"  \n[{Plain}]",
        $"[{Plain}] x",
        $"[{Plain}",
        $"{Plain}\n{Plain} {Plain}\n{Plain}",
        $"{Plain}\n{{\"tenant\":\n",
        "[]",
        "",
        "   \n ",
        "\"text\"",
        "[1, \"a\", [2], null, {}]",
        "1\n[2]\n{}\n",
        // Type errors, validation errors and records the fast reader leaves to the slow one, mixed with valid ones.
        $"[{Plain},{Rec("\"cost_usd\":\"12\"")},{Plain},{Rec("\"cost_usd\":1e400")},{Rec("\"tenant\":\"Acme!\"")},{Plain}]",
        $"{Rec("\"tenant\":7")}\n{Plain}\n{Rec("\"tags\":{\"team\":7}")}\n{Rec("\"tags\":{\"a\":\"1\",\"a\":\"2\"}")}",
        $"[{Rec("\"region\":\"a\u0085b\"")},{Rec("\"region\":\"" + new string('r', 300) + "\"")},{Rec("\"resource_id\":\"x\\u0000y\"")},{Rec("\"service_name\":\"check\\u200bout\"")}]",
        $"[{Rec("\"cost_type\":\"storage\",\"direction\":\"egress\"")},{Rec("\"cost_type\":\"network\",\"direction\":\"up\"")},{Rec("\"period_start\":\"2031-01-01T00:00:00Z\"")},{Rec("\"period_start\":\"2026-11-25T09:00:00\"")}]",
        $"[{Rec("\"cost_usd\":2,\"cost_usd\":3")},{Rec("\"foo\":1,\"foo\":2")},{Rec("\"t\\u0065nant\":\"acme\"")},{Rec("\"service_name\":\"sea\\u0072ch\"")},{Rec("\"tags\":{\"Cluster \":\"prod-eks\"}")}]",
        $"[{Rec("\"tags\":{\"cluster\":\"prod-eks\",\"cpu_capacity_core_hours\":\"8\"}")},{Rec("\"cost_type\":\"storage\",\"storage_type\":\"gp3\",\"tags\":{\"eks:cluster-name\":\"prod\"}")},{Plain}]",
        $"[{Rec("\"tags\":{\"cluster\":\"prod\",\"cpu_capacity_core_hours\":\"many\"}")},{Rec("\"period_end\":\"2026-11-25T08:00:00Z\"")},{Rec("\"cost_usd\":null")},{Rec("\"storage_gb\":-1,\"cost_type\":\"storage\"")}]",
        $"[{Rec("\"tags\":{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}")},{Rec("\"cpu_cost_usd\":1,\"cost_type\":\"network\"")},{Rec("\"account_id\":null,\"source\":null,\"service_name\":null")}]",
        $"[{Rec("\"source\":\"" + new string('s', 65) + "\"")},{Rec("\"cost_usd\":2000000000")},{Rec("\"tags\":null,\"region\":null,\"period_end\":null")},{Rec("\"tenant\":\"\\ud800\"")}]",
        $"[{Plain.Replace("\"region\":\"us-east-1\"", "\"cpu_cost_usd\":\"x\",\"storage_gb\":true,\"period_end\":5,\"account_id\":{},\"region\":[]")},{Plain}]",
        $"[{{\"a\":{{\"b\":{{\"c\":{{\"d\":{{\"e\":{{\"f\":{{\"g\":{{\"h\":{{\"i\":{{\"j\":{{\"k\":{{\"l\":{{\"m\":{{\"n\":{{\"o\":{{\"p\":{{\"q\":1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}]",
    ];

    private static string Rec(string fields) =>
        $$"""{"tenant":"acme","service_name":"search","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T10:00:00Z","cost_usd":1.25,{{fields}}}""".Replace(",,", ",");

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Any_body_read_in_one_byte_reads_and_small_windows_gives_what_the_whole_body_parse_gives(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        foreach (var maxRecords in new[] { 3, 50_000 })
        {
            var expected = Whole(bytes, maxRecords);
            foreach (var window in new[] { 16, 57, 256, CostBodyReader.WindowBytes })
            {
                Assert.Equal(expected, await StreamedAsync(bytes, window, _ => 1, maxRecords));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Any_body_read_in_random_reads_gives_what_the_whole_body_parse_gives(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = Whole(bytes, 50_000);
        var random = new Random(20);
        for (var round = 0; round < 20; round++)
        {
            var window = random.Next(8, 700);
            Assert.Equal(expected, await StreamedAsync(bytes, window, max => random.Next(1, max + 1), 50_000));
        }
    }

    [Fact]
    public async Task Every_field_reaches_its_buckets_exactly()
    {
        var (request, read) = await ReadAsync($"{Full}\n{Storage}\n{Network}");

        Assert.Null(read.Scan.Fatal);
        Assert.Empty(read.Scan.Errors);
        Assert.Empty(request.Errors);
        var batch = Assert.Single(request.Buckets.Batches());
        Assert.Equal(("acme", "checkout"), (batch.Tenant, batch.ServiceName));
        var hour = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
        [
            new BucketUpdate(new BucketKey("aws", "1234", "compute", hour, "", "cur"), new BucketAmount(0.825m, 0.3m, 0.225m, 0m)),
            new BucketUpdate(new BucketKey("aws", "1234", "compute", hour.AddHours(1), "", "cur"), new BucketAmount(1.65m, 0.6m, 0.45m, 0m)),
            new BucketUpdate(new BucketKey("aws", "1234", "compute", hour.AddHours(2), "", "cur"), new BucketAmount(0.825m, 0.3m, 0.225m, 0m)),
            new BucketUpdate(new BucketKey("aws", "", "storage", hour, "gp3", ""), new BucketAmount(0.5m, 0m, 0m, 100m)),
            new BucketUpdate(new BucketKey("gcp", "", "network", hour.AddHours(-1), "egress", ""), new BucketAmount(0.25m, 0m, 0m, 0m)),
        ], batch.Updates);
    }

    [Fact]
    public async Task Names_and_hours_are_made_once_per_request_and_shared_by_every_record()
    {
        var body = string.Join('\n', Enumerable.Range(0, 1_000).Select(i => Plain.Replace("us-east-1", $"us-east-{i}")));
        var (request, read) = await ReadAsync(body);

        Assert.Equal(1_000, read.Scan.Records);
        Assert.Equal(1_000, request.Tenants.Count);
        Assert.Same(request.Tenants[0], request.Tenants[999]);
        // tenant, service, provider, cost type, one period start, and the thousand regions (kept as the bucket's description).
        Assert.Equal(1_005, request.LineItems.DistinctValues);
        var batch = Assert.Single(request.Buckets.Batches());
        Assert.Equal(1_250m, Assert.Single(batch.Updates).Amount.CostUsd);
    }

    [Fact]
    public void Reading_line_items_whose_values_repeat_allocates_nothing_per_line_item()
    {
        var request = NewRequest();
        var parser = new CostBodyParser(request, 200_000);
        var warmUp = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Full + "\n", 10)));
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Full + "\n" + Plain + "\n", 50_000)));
        Assert.Equal(warmUp.Length, parser.Parse(warmUp, final: false));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var consumed = parser.Parse(body, final: false);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(body.Length, consumed);
        Assert.Equal(100_010, parser.Records);
        Assert.Empty(request.Errors);
        // The request's few growing lists (the search service's buckets, the tenants' runs) are all it allocates: well under a byte per line item.
        Assert.True(allocated < 100_000, $"{allocated} bytes for 100,000 line items");
    }

    [Fact]
    public async Task A_free_text_field_is_refused_on_its_raw_bytes_with_the_validators_words()
    {
        var (request, read) = await ReadAsync($"{Rec("\"region\":\"eu\u0085west\"")}\n{Rec("\"resource_id\":\"" + new string('x', 257) + "\"")}\n{Rec("\"region\":\"eu-zürich-1\"")}");

        Assert.Empty(read.Scan.Errors);
        Assert.Equal(
        [
            new IngestError(0, "region", "contains a control character (U+0085 at position 2)"),
            new IngestError(1, "resource_id", "is longer than 256 characters"),
        ], request.Errors);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_too_large_whatever_it_holds_and_is_read_to_its_end()
    {
        var body = Encoding.UTF8.GetBytes("not json at all " + new string('x', 5_000));
        var stream = new ChunkedStream(body, _ => 100);
        var read = await CostBodyReader.ReadAsync(stream, 1_000, 50_000, NewRequest(), CancellationToken.None, windowBytes: 64);

        Assert.True(read.TooLarge);
        Assert.False(read.Abandoned);
        Assert.Equal(body.Length, stream.Position);
    }

    [Fact]
    public async Task A_record_longer_than_the_window_grows_it()
    {
        var record = Rec("\"tags\":{" + string.Join(',', Enumerable.Range(0, 60).Select(i => $"\"key{i}\":\"{new string('v', 200)}\"")) + "}");
        var (request, read) = await ReadAsync($"[{record},{Plain}]", window: 32);

        Assert.Null(read.Scan.Fatal);
        Assert.Equal(2, read.Scan.Records);
        Assert.Empty(request.Errors);
        Assert.Equal(2.5m, Assert.Single(Assert.Single(request.Buckets.Batches()).Updates).Amount.CostUsd);
    }

    private static CostRequest NewRequest() =>
        new(new CostRecordValidator(new IngestLimits(), new FixedClock(Now)), new ClusterCostRouter(new ClusterRoutingOptions().Validate()));

    private static async Task<(CostRequest Request, CostBodyRead Read)> ReadAsync(string body, int window = CostBodyReader.WindowBytes)
    {
        var request = NewRequest();
        var read = await CostBodyReader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(body), max => max), 32 << 20, 50_000, request, CancellationToken.None, window);
        Assert.False(read.TooLarge);
        return (request, read);
    }

    /// <summary>Everything a body's read leaves behind, in a form two reads can be compared by.</summary>
    private static string Outcome(RecordScan scan, CostRequest request) => string.Join('\n',
    [
        $"records {scan.Records}; fatal {scan.Fatal}",
        .. scan.Errors.Select(e => $"type: {e}"),
        .. request.Errors.Select(e => $"rule: {e}"),
        $"tenants: {string.Join(',', request.Tenants.Select(t => t ?? "(none)"))}",
        .. request.Buckets.Batches().SelectMany(b => b.Updates.Select(u => $"{b.Tenant}/{b.ServiceName}: {u}")),
        .. request.Clusters.Batches().Select(b => $"cluster {b}"),
    ]);

    private static string Whole(byte[] body, int maxRecords)
    {
        var request = NewRequest();
        var scan = CostRecordJson.ParseEach(body, maxRecords, request.Add);
        return Outcome(scan, request);
    }

    private static async Task<string> StreamedAsync(byte[] body, int window, Func<int, int> chunk, int maxRecords)
    {
        var request = NewRequest();
        var read = await CostBodyReader.ReadAsync(new ChunkedStream(body, chunk), 32 << 20, maxRecords, request, CancellationToken.None, window);
        return Outcome(read.Scan, request);
    }

    /// <summary>A body that arrives in reads of the sizes <c>chunk(room)</c> says, as a network would cut it.</summary>
    private sealed class ChunkedStream(byte[] data, Func<int, int> chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk(count)), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
