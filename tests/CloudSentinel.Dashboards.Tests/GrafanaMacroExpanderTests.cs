namespace CloudSentinel.Dashboards.Tests;

public sealed class GrafanaMacroExpanderTests
{
    private static readonly DateTimeOffset From = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2025, 3, 3, 12, 30, 15, 500, TimeSpan.Zero);

    private static GrafanaQueryContext Context(bool timescale = false) =>
        new(From, To, new Dictionary<string, string> { ["tenant"] = "acme", ["service"] = "checkout" }, timescale, "1h");

    [Fact]
    public void Time_filter_becomes_a_between_of_rfc3339_utc_literals()
    {
        Assert.Equal("\"timestamp\" BETWEEN '2025-03-01T00:00:00Z' AND '2025-03-03T12:30:15.5Z'",
            GrafanaMacroExpander.Expand("$__timeFilter(\"timestamp\")", Context()));
    }

    [Fact]
    public void Time_from_and_to_become_quoted_literals()
    {
        Assert.Equal("'2025-03-01T00:00:00Z' < '2025-03-03T12:30:15.5Z'",
            GrafanaMacroExpander.Expand("$__timeFrom() < $__timeTo()", Context()));
    }

    [Fact]
    public void Time_group_without_timescaledb_floors_the_epoch()
    {
        Assert.Equal("floor(extract(epoch from c.\"timestamp\")/3600)*3600",
            GrafanaMacroExpander.Expand("$__timeGroup(c.\"timestamp\", '1h')", Context()));
        Assert.Equal("floor(extract(epoch from \"timestamp\")/300)*300 AS \"time\"",
            GrafanaMacroExpander.Expand("$__timeGroupAlias(\"timestamp\",'5m')", Context()));
    }

    [Fact]
    public void Time_group_with_timescaledb_uses_time_bucket()
    {
        Assert.Equal("time_bucket('3600.000s',\"timestamp\") AS \"time\"",
            GrafanaMacroExpander.Expand("$__timeGroupAlias(\"timestamp\", '1h')", Context(timescale: true)));
    }

    [Fact]
    public void Template_variables_expand_in_every_syntax()
    {
        Assert.Equal("'acme' acme acme acme checkout 1h",
            GrafanaMacroExpander.Expand("'$tenant' $tenant ${tenant} [[tenant]] $service $__interval", Context()));
    }

    [Fact]
    public void Interval_variable_can_feed_a_time_group()
    {
        Assert.Equal("floor(extract(epoch from ts)/3600)*3600",
            GrafanaMacroExpander.Expand("$__timeGroup(ts, $__interval)", Context()));
    }

    [Fact]
    public void Unknown_macros_and_variables_are_errors()
    {
        Assert.Throws<InvalidOperationException>(() => GrafanaMacroExpander.Expand("$__unixEpochFilter(ts)", Context()));
        Assert.Throws<InvalidOperationException>(() => GrafanaMacroExpander.Expand("WHERE x = '$cluster'", Context()));
    }

    [Fact]
    public void Every_dashboard_query_expands_to_time_bucket_with_timescaledb_and_to_epoch_floors_without()
    {
        foreach (var query in DashboardQueries.All(CostSeed.Now))
        {
            var plain = GrafanaMacroExpander.Expand(query.Sql, Context());
            var timescale = GrafanaMacroExpander.Expand(query.Sql, Context(timescale: true));

            Assert.DoesNotContain("time_bucket(", plain);
            Assert.DoesNotContain("floor(extract(epoch", timescale);
            Assert.Equal(query.Sql.Contains("$__timeGroup"), timescale.Contains("time_bucket('3600.000s',"));
            Assert.Equal(query.Sql.Contains("$__timeGroup"), plain.Contains("floor(extract(epoch from"));
        }
    }
}
