using Gantry.Node.Runtime;

namespace Gantry.Node.Pods;

/// <summary>
/// Lists of the runtime's sandboxes and containers shared by concurrent readers: a caller always gets a list that
/// started after its call (so it sees every change made before it asked), but callers that ask while a list runs share
/// the next one instead of each listing on its own. With many pods syncing at once the runtime lists once per round.
/// </summary>
internal sealed class RuntimeSnapshots(IContainerRuntime runtime)
{
    private readonly Lock _lock = new();
    private Task<Snapshot>? _running;
    private Task<Snapshot>? _next;

    /// <summary>A list that started after this call.</summary>
    public Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        Task<Snapshot> mine;
        lock (_lock)
        {
            if (_running is null || _running.IsCompleted)
            {
                _running = ListAsync();
                mine = _running;
            }
            else
            {
                // A list is already running but may have started before our caller's change: wait for the one after it.
                var previous = _running;
                _next ??= ListAfterAsync(previous);
                mine = _next;
            }
        }
        return mine.WaitAsync(cancellationToken);
    }

    private async Task<Snapshot> ListAfterAsync(Task previous)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        Task<Snapshot> list;
        lock (_lock)
        {
            list = ListAsync();
            _running = list;
            _next = null;
        }
        return await list.ConfigureAwait(false);
    }

    // Listed without the caller's token: several callers share it, and one giving up must not fail the others. It runs
    // after a yield because it is started under the lock.
    private async Task<Snapshot> ListAsync()
    {
        await Task.Yield();
        var sandboxes = await runtime.ListPodSandboxesAsync(CancellationToken.None).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(CancellationToken.None).ConfigureAwait(false);
        return new Snapshot(sandboxes, containers);
    }

    /// <summary>One list of sandboxes and containers.</summary>
    public sealed record Snapshot(IReadOnlyList<PodSandbox> Sandboxes, IReadOnlyList<ContainerStatus> Containers);
}
