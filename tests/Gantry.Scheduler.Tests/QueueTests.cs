using Gantry.Scheduler.Queue;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class QueueTests
{
    private static readonly SchedulerOptions Fast = new()
    {
        PodInitialBackoff = TimeSpan.FromMilliseconds(100),
        PodMaxBackoff = TimeSpan.FromMilliseconds(400),
        PodMaxInUnschedulablePodsDuration = TimeSpan.FromMilliseconds(300),
        UnschedulableFlushInterval = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Pop_ReturnsHigherPriorityFirst_ThenFirstInFirstOut()
    {
        var queue = new SchedulingQueue(Fast, TimeProvider.System);
        queue.Add(Pod("low-1", 0));
        queue.Add(Pod("high", 100));
        queue.Add(Pod("low-2", 0));

        var order = new List<string>();
        for (var i = 0; i < 3; i++) order.Add((await queue.PopAsync(CancellationToken.None)).Pod.Pod.Name());

        Assert.Equal(["high", "low-1", "low-2"], order);
    }

    [Fact]
    public async Task UnschedulablePod_WaitsForAClusterEvent()
    {
        var queue = new SchedulingQueue(Fast with { PodMaxInUnschedulablePodsDuration = TimeSpan.FromMinutes(5) }, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var flushing = queue.RunAsync(stop.Token);
        queue.Add(Pod("p", 0));
        var (popped, cycle) = await queue.PopAsync(CancellationToken.None);
        queue.AddUnschedulable(popped, cycle);

        await Task.Delay(400);
        Assert.Equal((0, 0, 1), queue.Counts());

        queue.MoveAllToActiveOrBackoff();
        var again = await queue.PopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        Assert.Equal("p", again.Pod.Pod.Name());
        Assert.Equal(2, again.Pod.Attempts);
        await stop.CancelAsync();
        await flushing;
    }

    [Fact]
    public async Task ClusterEventDuringTheAttempt_SendsTheFailedPodToBackoffNotUnschedulable()
    {
        var queue = new SchedulingQueue(Fast, TimeProvider.System);
        queue.Add(Pod("p", 0));
        var (popped, cycle) = await queue.PopAsync(CancellationToken.None);
        queue.MoveAllToActiveOrBackoff();
        queue.AddUnschedulable(popped, cycle);

        Assert.Equal((0, 1, 0), queue.Counts());
    }

    [Fact]
    public async Task UnschedulablePods_AreFlushedAfterTheMaximumWait()
    {
        var queue = new SchedulingQueue(Fast, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var flushing = queue.RunAsync(stop.Token);
        queue.Add(Pod("p", 0));
        var (popped, cycle) = await queue.PopAsync(CancellationToken.None);
        queue.AddUnschedulable(popped, cycle);

        var again = await queue.PopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(3)).Token);

        Assert.Equal("p", again.Pod.Pod.Name());
        await stop.CancelAsync();
        await flushing;
    }

    [Fact]
    public async Task StatusOnlyUpdate_LeavesAnUnschedulablePodWaiting_ButASpecChangeRetriesIt()
    {
        var queue = new SchedulingQueue(Fast, TimeProvider.System);
        var pod = Pod("p", 0);
        queue.Add(pod);
        var (popped, cycle) = await queue.PopAsync(CancellationToken.None);
        queue.AddUnschedulable(popped, cycle);

        var statusOnly = Pod("p", 0);
        statusOnly.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False" }] };
        queue.Update(pod, statusOnly);
        Assert.Equal((0, 0, 1), queue.Counts());

        var relabelled = Pod("p", 0);
        relabelled.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        queue.Update(statusOnly, relabelled);
        Assert.Equal(0, queue.Counts().Unschedulable);
    }

    [Fact]
    public async Task SpecChangeDuringTheAttempt_SendsTheFailedPodToBackoff_ButAStatusChangeDoesNot()
    {
        var queue = new SchedulingQueue(Fast, TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var flushing = queue.RunAsync(stop.Token);
        var pod = Pod("p", 0);
        queue.Add(pod);
        var (popped, cycle) = await queue.PopAsync(stop.Token);
        var statusOnly = Pod("p", 0);
        statusOnly.Status = new V1PodStatus { Phase = "Pending" };
        queue.Update(pod, statusOnly);
        queue.AddUnschedulable(popped, cycle);
        Assert.Equal((0, 0, 1), queue.Counts());

        var relabelled = Pod("p", 0);
        relabelled.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "web" };
        queue.MoveAllToActiveOrBackoff();
        (popped, cycle) = await queue.PopAsync(stop.Token);
        queue.Update(statusOnly, relabelled);
        queue.AddUnschedulable(popped, cycle);
        Assert.Equal(0, queue.Counts().Unschedulable);
        await stop.CancelAsync();
        await flushing;
    }

    private static V1Pod Pod(string name, int priority) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = name },
        Spec = new V1PodSpec { Priority = priority, Containers = [new V1Container { Name = "c", Image = "i" }] },
    };
}
