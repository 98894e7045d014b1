using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Queue;

namespace Gantry.Scheduler.Tests;

public sealed class FitErrorTests
{
    [Fact]
    public void Histogram_SortsCountedReasonsAsStrings_LikeKubeScheduler()
    {
        var statuses = new Dictionary<string, Status>();
        for (var i = 0; i < 10; i++) statuses[$"cpu-{i}"] = Status.Unschedulable("Insufficient cpu");
        statuses["m1"] = Status.Unschedulable("Insufficient cpu", "Insufficient memory");
        statuses["m2"] = Status.Unschedulable("Insufficient memory");
        statuses["t"] = Status.Unresolvable("node(s) had untolerated taint {a: b}");

        // Go's sort.Strings compares bytes: "1 node(s)..." before "11 ..." before "2 ...".
        Assert.Equal("0/13 nodes are available: 1 node(s) had untolerated taint {a: b}, 11 Insufficient cpu, 2 Insufficient memory.",
            FitError.Histogram(13, statuses));
    }

    [Fact]
    public void Backoff_StartsAtOneSecond_AndDoublesUpToTen()
    {
        var queue = new SchedulingQueue(new SchedulerOptions(), TimeProvider.System);
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => queue.BackoffDuration(a).TotalSeconds));
    }
}
