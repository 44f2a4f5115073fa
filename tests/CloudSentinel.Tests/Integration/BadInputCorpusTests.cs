using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudSentinel.Tests.Infrastructure;

namespace CloudSentinel.Tests.Integration;

/// <summary>One gateway and silo on real PostgreSQL for the whole corpus.</summary>
public sealed class CorpusStack : IAsyncLifetime
{
    public CloudSentinelStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await CloudSentinelStack.StartAsync();

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// The bad-input corpus (tests/BadInput/cases/*.json), sent to the real gateway: every case gets the
/// status its file expects, an RFC 9457 problem that names the field (when the file says which), and a
/// refused case writes nothing; the service answers /healthz after every case. A case that expects
/// 200 must load. See tests/BadInput/README.md for the file format.
/// </summary>
public sealed class BadInputCorpusTests(CorpusStack fixture) : IClassFixture<CorpusStack>
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("tests", "BadInput", "cases"), "*.json").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    private sealed record Case(string Endpoint, int Status, string ContentType, string? Body, string? BodyBase64, string? Generate, string? Field, string? Contains);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_clear_4xx_changes_nothing_and_the_service_keeps_running(string file)
    {
        var stack = fixture.Stack;
        var c = JsonSerializer.Deserialize<Case>(await File.ReadAllTextAsync(RepoPaths.Combine("tests", "BadInput", "cases", file)), JsonSerializerOptions.Web)!;
        await stack.WaitForSettledAsync();
        var rowsBefore = await stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'corpus'");
        var budgetsBefore = await stack.QueryScalarAsync<long>("SELECT count(*) FROM budgets WHERE tenant_id = 'corpus'");

        var (method, path) = (c.Endpoint.Split(' ')[0], c.Endpoint.Split(' ')[1]);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Content(c) };
        using var response = await stack.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == c.Status, $"{file}: expected {c.Status}, got {(int)response.StatusCode}: {Cut(text)}");
        if (c.Status >= 400)
        {
            using var json = JsonDocument.Parse(text);
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{file}: answered {response.Content.Headers.ContentType}, not an RFC 9457 problem");
            Assert.True(json.RootElement.TryGetProperty("status", out var status) && status.GetInt32() == c.Status, $"{file}: no status {c.Status} in {Cut(text)}");
            Assert.True(json.RootElement.TryGetProperty("detail", out var detail) && detail.GetString()!.Length > 0, $"{file}: no detail in {Cut(text)}");
            if (c.Field is not null) Assert.True(NamesField(json.RootElement, c.Field), $"{file}: the answer does not name field '{c.Field}': {Cut(text)}");
        }

        if (c.Contains is not null) Assert.True(text.Contains(c.Contains, StringComparison.Ordinal), $"{file}: '{c.Contains}' not in {Cut(text)}");
        await stack.WaitForSettledAsync();
        var rowsAfter = await stack.QueryScalarAsync<long>("SELECT count(*) FROM service_costs WHERE tenant_id = 'corpus'");
        if (c.Status >= 400)
        {
            Assert.Equal(rowsBefore, rowsAfter);
            Assert.Equal(budgetsBefore, await stack.QueryScalarAsync<long>("SELECT count(*) FROM budgets WHERE tenant_id = 'corpus'"));
        }
        else
        {
            Assert.True(rowsAfter > rowsBefore, $"{file}: answered {c.Status} but nothing loaded");
        }

        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync("/healthz")).StatusCode);
    }

    private static bool NamesField(JsonElement root, string field)
    {
        if (root.TryGetProperty("field", out var own) && own.GetString() == field) return true;
        foreach (var list in new[] { "errors", "rejectedRows", "rejectedRecords" })
        {
            if (root.TryGetProperty(list, out var items) && items.EnumerateArray().Any(e => e.TryGetProperty("field", out var f) && f.GetString() == field)) return true;
        }

        return false;
    }

    private static HttpContent Content(Case c)
    {
        HttpContent content = c.Generate switch
        {
            null => c.BodyBase64 is not null ? new ByteArrayContent(Convert.FromBase64String(c.BodyBase64)) : new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body ?? "")),
            var g when g.StartsWith("nested:", StringComparison.Ordinal) => new StringContent(new string('[', int.Parse(g[7..])) + new string(']', int.Parse(g[7..]))),
            var g when g.StartsWith("zeros:", StringComparison.Ordinal) => new ByteArrayContent(new byte[long.Parse(g[6..])]),
            var g when g.StartsWith("gzipbomb:", StringComparison.Ordinal) => new ByteArrayContent(GzipOfZeros(long.Parse(g[9..]))),
            var g => throw new ArgumentException($"unknown generator '{g}'"),
        };
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
        return content;
    }

    /// <summary>A small gzip file that inflates to <paramref name="size"/> zero bytes.</summary>
    private static byte[] GzipOfZeros(long size)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < size; written += block.Length) gzip.Write(block);
        }

        return output.ToArray();
    }

    private static string Cut(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
