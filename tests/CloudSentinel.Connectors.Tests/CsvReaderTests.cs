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

    /// <summary>Each record as "line: field|field|..." with only <paramref name="wanted"/> columns asked for; a skipped one shows as "-".</summary>
    private static async Task<List<string>> ReadWantedAsync(TextReader text, bool[] wanted)
    {
        var csv = new CsvReader(text);
        var row = new CsvRow();
        var records = new List<string>();
        while (await csv.ReadAsync(row, wanted, CancellationToken.None)) records.Add($"{csv.RecordLine}: {string.Join("|", row.Select(f => f ?? "-"))}");
        return records;
    }

    [Fact]
    public async Task Only_the_wanted_columns_become_strings_and_the_rest_still_count_as_fields()
    {
        var records = await ReadWantedAsync(new StringReader("a,\"b,\"\"x\"\"\",c,d\r\n1,\"two\r\nlines\",3,\"4\"\n"), [false, true, false, true]);

        Assert.Equal(["1: -|b,\"x\"|-|d", "2: -|two\r\nlines|-|4"], records);
    }

    [Fact]
    public async Task Crlf_empty_lines_stray_quotes_and_a_byte_order_mark_read_as_before()
    {
        var bytes = System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes("h1,h2\r\n\r\nab\"c,\"q\"z\r\n\"\",\"\"\"\"\r\n")).ToArray();
        using var text = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

        var records = await ReadWantedAsync(text, [true, true]);

        Assert.Equal(["1: h1|h2", "3: ab\"c|qz", "4: |\""], records);
    }

    [Fact]
    public async Task A_repeated_value_is_the_previous_rows_string_again()
    {
        var csv = new CsvReader(new StringReader("aws,eu-west-1,1\naws,eu-west-1,2\n"));
        var row = new CsvRow();
        await csv.ReadAsync(row, [true, true, true], CancellationToken.None);
        var (provider, region) = (row[0], row[1]);
        await csv.ReadAsync(row, [true, true, true], CancellationToken.None);

        Assert.Same(provider, row[0]);
        Assert.Same(region, row[1]);
        Assert.Equal("2", row[2]);
    }

    [Fact]
    public async Task Records_cut_by_the_buffer_read_the_same_in_any_cut()
    {
        var line = "x,\"quoted, with \"\"quotes\"\"\r\nand a break\",plain text,\"\"\r\n";
        var text = "h1,h2,h3,h4\r\n" + string.Concat(Enumerable.Repeat(line, 3_000));
        var whole = await ReadWantedAsync(new StringReader(text), [true, true, true, true]);
        var random = new Random(20);

        var cut = await ReadWantedAsync(new ChoppyReader(text, () => random.Next(1, 9)), [true, true, true, true]);

        Assert.Equal(3_001, whole.Count);
        Assert.Equal("2: x|quoted, with \"quotes\"\r\nand a break|plain text|", whole[1]);
        Assert.StartsWith("4: x|", whole[2]);
        Assert.Equal(whole, cut);
    }

    /// <summary>A text that arrives a few characters at a time, so that every state of the tokenizer meets a buffer's end.</summary>
    private sealed class ChoppyReader(string text, Func<int> chunk) : TextReader
    {
        private int _position;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, chunk()), text.Length - _position);
            text.CopyTo(_position, buffer, index, n);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(buffer.Length, chunk()), text.Length - _position);
            text.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return ValueTask.FromResult(n);
        }
    }
}
