using CloudSentinel.Storage.IngestLog;

namespace CloudSentinel.Storage.Tests;

/// <summary>How many pump rounds a silo runs at once, against the connections its pool has.</summary>
public sealed class IngestLogOptionsTests
{
    [Theory]
    [InlineData(12, 4)]
    [InlineData(6, 3)]
    [InlineData(3, 1)]
    [InlineData(2, 1)]
    public void Unset_rounds_are_four_or_half_the_pool_when_that_is_less(int maxPoolSize, int rounds)
    {
        Assert.Equal(rounds, new IngestLogOptions().Validate(maxPoolSize).Rounds);
    }

    [Fact]
    public void Rounds_that_would_leave_the_writers_no_connection_are_refused_with_the_limit()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IngestLogOptions { Rounds = 7 }.Validate(12));

        Assert.Equal("IngestLog:Rounds must be 1 to 6: half of Postgres:MaxPoolSize (12), so that the writers always get a connection", ex.Message);
        Assert.Equal(6, new IngestLogOptions { Rounds = 6 }.Validate(12).Rounds);
        Assert.Throws<ArgumentException>(() => new IngestLogOptions { Rounds = 0 }.Validate(12));
    }
}
