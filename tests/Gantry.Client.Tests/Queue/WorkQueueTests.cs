using Gantry.Client.Queue;
using Gantry.Client.Tests.Harness;

namespace Gantry.Client.Tests.Queue;

public sealed class WorkQueueTests
{
    private static async Task<string> Next(WorkQueue<string> queue)
    {
        var (key, shutDown) = await queue.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(shutDown);
        return key;
    }

    [Fact]
    public async Task Add_OfQueuedKey_IsDeduplicated()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await Next(queue));
        Assert.Equal("b", await Next(queue));
    }

    [Fact]
    public async Task KeyAddedWhileProcessing_IsHandedOutAgainOnlyAfterDone()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var key = await Next(queue);
        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Count);
        var second = queue.GetAsync().AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        queue.Done(key);
        Assert.Equal(("a", false), await second.WaitAsync(TimeSpan.FromSeconds(5)));
        queue.Done("a");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ShutDown_WakesWaitersAndIgnoresNewKeys()
    {
        using var queue = new WorkQueue<string>();
        var waiting = queue.GetAsync().AsTask();
        queue.ShutDown();
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(5))).ShutDown);
        queue.Add("late");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void AddAfter_QueuesOnlyOnceTheDelayHasPassed_KeepingTheEarliestTime()
    {
        var time = new ManualTimeProvider();
        using var queue = new WorkQueue<string>(time);
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public void ItemBackoff_DoublesFrom5MillisecondsTo1000Seconds_AndForgetResets()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>();
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        Assert.Equal(3, limiter.NumRequeues("a"));
        for (var i = 0; i < 40; i++) limiter.When("a");
        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void Bucket_AllowsBurstOf100_ThenTenPerSecond()
    {
        var time = new ManualTimeProvider();
        var limiter = new BucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++) Assert.Equal(TimeSpan.Zero, limiter.When($"k{i}"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("y"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.When("z"));
    }

    [Fact]
    public void DefaultControllerLimiter_TakesTheLongerOfBackoffAndBucket()
    {
        var time = new ManualTimeProvider();
        var limiter = RateLimiters.DefaultController<string>(time);
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        for (var i = 0; i < 99; i++) limiter.When($"k{i}");
        // The bucket is empty now: its 100 ms beats the 5 ms of a first failure.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("fresh"));
    }

    [Fact]
    public void RateLimitingQueue_AddRateLimited_WaitsTheBackoff()
    {
        var time = new ManualTimeProvider();
        using var queue = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(), time);
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        Assert.Equal(2, queue.NumRequeues("a"));
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);
        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task ControllerRunner_RetriesFailuresAndForgetsSuccesses()
    {
        using var queue = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1)));
        var attempts = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ControllerRunner<string>("test", queue, (key, _) =>
        {
            if (Interlocked.Increment(ref attempts) < 3) throw new InvalidOperationException("not yet");
            done.TrySetResult();
            return Task.CompletedTask;
        });
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(2, cts.Token);
        queue.Add("key");
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => queue.NumRequeues("key") == 0, "forgotten after success");
        Assert.Equal(3, attempts);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(queue.ShuttingDown);
    }

    [Fact]
    public async Task ControllerRunner_NeverReconcilesOneKeyOnTwoWorkersAtOnce()
    {
        using var queue = new RateLimitingQueue<string>();
        var inFlight = 0;
        var overlap = false;
        var calls = 0;
        var runner = new ControllerRunner<string>("test", queue, async (key, ct) =>
        {
            if (Interlocked.Increment(ref inFlight) > 1) overlap = true;
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref calls);
        });
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(4, cts.Token);
        for (var i = 0; i < 10; i++)
        {
            queue.Add("same");
            await Task.Delay(5);
        }
        await Eventually.TrueAsync(() => Volatile.Read(ref calls) >= 2 && queue.Count == 0 && Volatile.Read(ref inFlight) == 0, "queue drained");
        await cts.CancelAsync();
        await run;
        Assert.False(overlap);
    }
}
