using CloudSentinel.Grains.Costs;

namespace CloudSentinel.Grains.Tests;

public sealed class RejudgementQueueTests
{
    // A verdict reads 10 hours back and needs 2 days of history, so the arithmetic below is checkable by eye.
    private const int Reach = 10;
    private static readonly TimeSpan WarmUp = TimeSpan.FromDays(2);
    private static readonly DateTime First = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Current = First.AddDays(10);

    private static DateTime H(int hoursAfterFirst) => First.AddHours(hoursAfterFirst);

    private static RejudgementQueue Queue()
    {
        var queue = new RejudgementQueue(Reach, WarmUp);
        queue.Changed([], First, Current);
        return queue;
    }

    private static List<DateTime> All(RejudgementQueue queue) => queue.Take(Current, First, wanted => wanted);

    [Fact]
    public void A_changed_hour_schedules_itself_and_every_hour_whose_window_reads_it()
    {
        var queue = Queue();

        queue.Changed([H(100)], First, Current);

        Assert.Equal(Reach + 1, queue.Count);
        Assert.Equal(Enumerable.Range(100, Reach + 1).Reverse().Select(H), All(queue));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Overlapping_changes_are_judged_once()
    {
        var queue = Queue();

        queue.Changed([H(100), H(105)], First, Current);
        queue.Changed([H(103)], First, Current);

        // [100, 110] ∪ [105, 115] ∪ [103, 113] = [100, 115]: 16 hours, each once.
        var taken = All(queue);
        Assert.Equal(16, taken.Count);
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.Equal(H(115), taken[0]);
        Assert.Equal(H(100), taken[^1]);
    }

    [Fact]
    public void Nothing_at_or_after_the_running_hour_is_scheduled()
    {
        var queue = Queue();
        var running = H(240);

        queue.Changed([H(235), H(240), H(241)], First, running);

        Assert.Equal(Enumerable.Range(235, 5).Reverse().Select(H), queue.Take(running, First, w => w));
    }

    [Fact]
    public void The_first_hour_moving_earlier_schedules_every_hour_from_it()
    {
        var queue = Queue();
        var earlier = First.AddDays(-3);

        queue.Changed([earlier], earlier, Current);

        // Warm-up counts from the new first hour, so everything from two days after it may change.
        var taken = queue.Take(Current, earlier, w => w);
        Assert.Equal(earlier.AddDays(2), taken[^1]);
        Assert.Equal(Current.AddHours(-1), taken[0]);
        Assert.Equal((int)(Current - earlier.AddDays(2)).TotalHours, taken.Count);
    }

    [Fact]
    public void Hours_still_warming_up_are_dropped_unjudged()
    {
        var queue = Queue();

        queue.Changed([H(40)], First, Current);

        // [40, 50]: hours 40..47 are within the 48-hour warm-up.
        Assert.Equal(Enumerable.Range(48, 3).Reverse().Select(H), All(queue));
    }

    [Fact]
    public void The_budget_limits_each_take_newest_first_and_the_rest_waits()
    {
        var queue = Queue();
        queue.Changed([H(100), H(200)], First, Current);
        var asked = new List<int>();

        var first = queue.Take(Current, First, wanted => { asked.Add(wanted); return 5; });
        var second = queue.Take(Current, First, wanted => { asked.Add(wanted); return 10; });

        Assert.Equal([22, 17], asked);
        Assert.Equal(Enumerable.Range(206, 5).Reverse().Select(H), first);
        // The rest of [200, 210], then the newest hours of [100, 110].
        Assert.Equal(Enumerable.Range(200, 6).Reverse().Concat(Enumerable.Range(107, 4).Reverse()).Select(H), second);
        Assert.Equal(7, queue.Count);
    }

    [Fact]
    public void Hours_judged_on_arrival_leave_the_queue()
    {
        var queue = Queue();
        queue.Changed([H(100)], First, Current);

        queue.Judged([H(100), H(105), H(120)]);

        Assert.Equal(Enumerable.Range(101, 10).Where(h => h != 105).Reverse().Select(H), All(queue));
    }

    [Fact]
    public void Scheduling_from_an_hour_covers_the_history_up_to_the_running_hour()
    {
        var queue = new RejudgementQueue(Reach, WarmUp);

        queue.ScheduleFrom(First, First, Current);

        Assert.Equal(First.AddDays(2), queue.Take(Current, First, w => w)[^1]);
        Assert.Null(queue.Oldest);
    }

    [Fact]
    public void An_empty_series_has_nothing_to_judge()
    {
        var queue = Queue();
        queue.Changed([H(100)], First, Current);

        Assert.Empty(queue.Take(Current, null, w => w));
        Assert.Equal(0, queue.Count);
    }
}
