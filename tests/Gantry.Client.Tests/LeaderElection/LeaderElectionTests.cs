using Gantry.Client.LeaderElection;
using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.LeaderElection;

[Collection(ServerCollection.Name)]
public sealed class LeaderElectionTests(ServerFixture fixture)
{
    private LeaderElectionOptions Options(string lease, string identity, bool release = true) => new()
    {
        LeaseName = lease,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
        ReleaseOnCancel = release,
    };

    private sealed class Candidate
    {
        public required LeaseLeaderElector Elector { get; init; }
        public CancellationTokenSource Stop { get; } = new();
        public Task Run { get; set; } = Task.CompletedTask;
        public bool Stopped { get; set; }
    }

    private Candidate Start(string lease, string identity, bool release = true)
    {
        var candidate = new Candidate { Elector = new LeaseLeaderElector(fixture.Client, Options(lease, identity, release)) };
        candidate.Run = candidate.Elector.RunAsync(ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default),
            () => candidate.Stopped = true, candidate.Stop.Token);
        return candidate;
    }

    [Fact]
    public async Task TwoCandidates_OnlyOneLeads_AndTheOtherTakesOverOnRelease()
    {
        var lease = $"lease-{Guid.NewGuid():N}"[..16];
        var a = Start(lease, "a");
        var b = Start(lease, "b");
        await Eventually.TrueAsync(() => a.Elector.IsLeader || b.Elector.IsLeader, "a leader");
        await Task.Delay(700);
        Assert.True(a.Elector.IsLeader ^ b.Elector.IsLeader);

        var (leader, follower) = a.Elector.IsLeader ? (a, b) : (b, a);
        var held = await fixture.Client.For<V1Lease>().GetAsync("kube-system", lease);
        Assert.Equal(leader.Elector.Identity, held!.Spec.HolderIdentity);
        Assert.Equal(2, held.Spec.LeaseDurationSeconds);

        await leader.Stop.CancelAsync();
        await leader.Run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(leader.Stopped);
        Assert.False(leader.Elector.IsLeader);
        // Released: the follower need not wait out the 2 s lease.
        await Eventually.TrueAsync(() => follower.Elector.IsLeader, "follower takes over", 1.5);
        var taken = await fixture.Client.For<V1Lease>().GetAsync("kube-system", lease);
        Assert.Equal(follower.Elector.Identity, taken!.Spec.HolderIdentity);
        Assert.Equal(1, taken.Spec.LeaseTransitions);

        await follower.Stop.CancelAsync();
        await follower.Run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task LeaderThatVanishesWithoutRelease_IsReplacedAfterTheLeaseDuration()
    {
        var lease = $"lease-{Guid.NewGuid():N}"[..16];
        var a = Start(lease, "a", release: false);
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        await a.Stop.CancelAsync();
        await a.Run.WaitAsync(TimeSpan.FromSeconds(5));

        var started = DateTime.UtcNow;
        var b = Start(lease, "b");
        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b takes over", 6);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.9));
        await b.Stop.CancelAsync();
        await b.Run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AlwaysLeader_LeadsAtOnceUntilCancelled()
    {
        var elector = new AlwaysLeaderElector("solo");
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var stopped = false;
        var run = elector.RunAsync(_ => { started.SetResult(); return Task.CompletedTask; }, () => stopped = true, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(elector.IsLeader);
        await cts.CancelAsync();
        await run;
        Assert.True(stopped);
        Assert.False(elector.IsLeader);
    }
}
