using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class CsvReaderTests
{
    /// <summary>Each record as "line: field|field|...".</summary>
    private static async Task<List<string>> ReadAllAsync(string text, int maxFieldChars = 1 << 20)
    {
        var csv = new CsvReader(new StringReader(text), maxFieldChars);
        var fields = new List<string>();
        var records = new List<string>();
        while (await csv.ReadAsync(fields, CancellationToken.None)) records.Add($"{csv.RecordLine}: {string.Join("|", fields)}");
        return records;
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var records = await ReadAllAsync("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,\"\"\n");

        Assert.Equal(["1: a|b|c", "2: x, y|say \"hi\"|two\nlines", "5: 1||"], records);
    }

    [Fact]
    public async Task The_last_record_may_end_without_a_line_break()
    {
        var records = await ReadAllAsync("a,b\n1,\"2\"");

        Assert.Equal(["1: a|b", "2: 1|2"], records);
    }

    [Fact]
    public async Task A_runaway_field_is_refused_rather_than_buffered()
    {
        var error = await Assert.ThrowsAsync<FocusFileException>(() => ReadAllAsync("a\n\"" + new string('x', 100), maxFieldChars: 50));

        Assert.Equal(2, error.Line);
    }
}
