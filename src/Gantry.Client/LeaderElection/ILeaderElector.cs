namespace Gantry.Client.LeaderElection;

/// <summary>Decides which of several replicas of a component (controller manager, scheduler) does the work.</summary>
public interface ILeaderElector
{
    /// <summary>This candidate's identity (the Lease's holderIdentity).</summary>
    string Identity { get; }

    /// <summary>Whether this candidate leads right now.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Campaigns until leading, then runs <paramref name="onStartedLeading"/> with a token that is cancelled when
    /// leadership is lost or <paramref name="cancellationToken"/> is cancelled. Returns after leadership ends (lost or
    /// cancelled) and <paramref name="onStoppedLeading"/> ran; a component that lost leadership should exit or campaign
    /// again. An exception of <paramref name="onStartedLeading"/> is rethrown after that. Cancelled before it ever led,
    /// it returns without calling either callback.
    /// </summary>
    Task RunAsync(Func<CancellationToken, Task> onStartedLeading, Action? onStoppedLeading, CancellationToken cancellationToken);
}
