using System.Text;
using CloudSentinel.Core;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

public sealed class CostRecordParsingTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static (List<CostRecord> Records, List<IngestError> Errors, IngestError? Fatal) Read(string body)
    {
        var parse = CostRecordJson.Parse(Encoding.UTF8.GetBytes(body), 50_000);
        var errors = new List<IngestError>(parse.Errors);
        var validator = new CostRecordValidator(new IngestLimits(), new FixedClock(Now));
        var records = parse.Records.Select(r => validator.Validate(r, errors)).OfType<CostRecord>().ToList();
        return (records, errors, parse.Fatal);
    }

    private const string Valid = """{"tenant":"acme","service_name":"checkout","cloud_provider":"AWS","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1.25}""";

    [Fact]
    public void Json_array_and_ndjson_give_the_same_records()
    {
        var array = Read($"[{Valid},{Valid}]");
        var lines = Read($"{Valid}\n\n{Valid}\n");

        Assert.Empty(array.Errors);
        Assert.Equal(2, array.Records.Count);
        Assert.Equal(array.Records, lines.Records);
        var r = array.Records[0];
        Assert.Equal("aws", r.Provider);
        Assert.Equal(new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc), r.PeriodEnd);
        Assert.Equal(1.25m, r.CostUsd);
    }

    [Fact]
    public void Missing_service_name_becomes_untagged()
    {
        var r = Read("""[{"tenant":"acme","cloud_provider":"gcp","cost_type":"other","period_start":"2026-11-25T09:00:00+02:00","cost_usd":-3}]""").Records.Single();

        Assert.Equal("untagged", r.ServiceName);
        Assert.Equal(new DateTime(2026, 11, 25, 7, 0, 0, DateTimeKind.Utc), r.PeriodStart);
        Assert.Equal(-3m, r.CostUsd);
    }

    [Theory]
    [InlineData("""{"tenant":"","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""", "tenant", "is required")]
    [InlineData("""{"tenant":"Acme!","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""", "tenant", "does not match")]
    [InlineData("""{"tenant":"acme","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""", "cloud_provider", "is required")]
    [InlineData("""{"tenant":"acme","cloud_provider":"ibm","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""", "cloud_provider", "'ibm' is not one of")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z"}""", "cost_usd", "is required")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":"12"}""", "cost_usd", "must be a JSON number")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":"NaN"}""", "cost_usd", "NaN and Infinity are not amounts")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1e400}""", "cost_usd", "out of range")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2031-01-01T00:00:00Z","cost_usd":1}""", "period_start", "in the future")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00","cost_usd":1}""", "period_start", "not an RFC 3339 timestamp")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","period_end":"2026-11-25T08:00:00Z","cost_usd":1}""", "period_end", "is not after period_start")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1,"direction":"egress"}""", "direction", "only valid when cost_type is network")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"storage","period_start":"2026-11-25T09:00:00Z","cost_usd":1,"storage_gb":-5}""", "storage_gb", "must not be negative")]
    [InlineData("""{"tenant":"acme","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1,"tags":{"team":7}}""", "tags.team", "must be a string")]
    [InlineData("""{"tenant":"acme","service_name":"check\u0001out","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""", "service_name", "control characters")]
    public void Bad_field_is_named_with_its_record_and_reason(string record, string field, string reason)
    {
        var (records, errors, fatal) = Read($"[{Valid},{record}]");

        Assert.Null(fatal);
        Assert.Single(records);
        var error = Assert.Single(errors);
        Assert.Equal(1, error.Record);
        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("[{\"tenant\":\"acme\",", "malformed JSON near record 0")]
    [InlineData("[{\"tenant\":NaN}]", "malformed JSON")]
    [InlineData("{\"tenant\":\"acme\"}\n{oops}", "NDJSON line 2")]
    [InlineData("hello", "is not JSON")]
    [InlineData("   ", "is empty")]
    public void Malformed_body_is_a_fatal_error_that_says_where(string body, string message)
    {
        var fatal = Read(body).Fatal;

        Assert.NotNull(fatal);
        Assert.Contains(message, fatal.Reason);
    }

    [Fact]
    public void Too_many_records_stop_the_read_with_the_limit_in_the_message()
    {
        var parse = CostRecordJson.Parse(Encoding.UTF8.GetBytes($"[{Valid},{Valid},{Valid}]"), 2);

        Assert.NotNull(parse.Fatal);
        Assert.Contains("more than 2 records", parse.Fatal.Reason);
    }

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    [Fact]
    public void Repeated_values_of_line_items_are_read_like_fresh_ones()
    {
        // The reader answers a value whose bytes repeat the previous record's from memory; a changed,
        // escaped or differently typed value must still be read as sent.
        var (records, errors, fatal) = Read(string.Join('\n',
            """{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"compute","region":"eu-west-1","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""",
            """{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"compute","region":"eu-west-1","period_start":"2026-11-25T09:00:00Z","cost_usd":2}""",
            """{"tenant":"acme","service_name":"check\u006fut","cloud_provider":"aws","cost_type":"compute","region":"eu-west-2","period_start":"2026-11-25T10:00:00Z","cost_usd":3}""",
            """{"tenant":"acme","service_name":"payments","cloud_provider":"aws","cost_type":"compute","region":"eu-west-1","period_start":"2026-11-25T09:00:00Z","cost_usd":4}"""));

        Assert.Null(fatal);
        Assert.Empty(errors);
        Assert.Equal(["checkout", "checkout", "checkout", "payments"], records.Select(r => r.ServiceName));
        Assert.Equal(["eu-west-1", "eu-west-1", "eu-west-2", "eu-west-1"], records.Select(r => r.Region));
        Assert.Equal([9, 9, 10, 9], records.Select(r => r.PeriodStart.Hour));
    }

    [Fact]
    public void A_field_sent_twice_is_refused_also_when_one_spelling_is_escaped()
    {
        var (records, errors, _) = Read("""[{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1,"cost\u005fusd":1000}]""");

        Assert.Empty(records);
        Assert.Contains(errors, e => e.Field == "cost_usd" && e.Reason.Contains("more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_value_after_a_good_repeat_is_still_refused()
    {
        var (records, errors, _) = Read(string.Join('\n',
            """{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00Z","cost_usd":1}""",
            """{"tenant":"acme","service_name":"checkout","cloud_provider":"aws","cost_type":"compute","period_start":"2026-11-25T09:00:00","cost_usd":1}"""));

        Assert.Single(records);
        Assert.Contains(errors, e => e.Record == 1 && e.Field == "period_start");
    }
}
