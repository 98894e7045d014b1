using Gantry.Node.Runtime;

namespace Gantry.Node.Pods;

/// <summary>What the runtime has of one pod: its sandboxes (newest first) and their containers.</summary>
internal sealed class PodRuntimeState(IReadOnlyList<PodSandbox> sandboxes, IReadOnlyList<ContainerStatus> containers)
{
    /// <summary>Sandboxes, newest first.</summary>
    public IReadOnlyList<PodSandbox> Sandboxes { get; } = sandboxes;

    /// <summary>Every container of every sandbox of the pod.</summary>
    public IReadOnlyList<ContainerStatus> Containers { get; } = containers;

    /// <summary>The newest sandbox when it is ready, else null.</summary>
    public PodSandbox? ReadySandbox => Sandboxes.Count > 0 && Sandboxes[0].Ready ? Sandboxes[0] : null;

    /// <summary>Reads the pod's state from the runtime.</summary>
    public static async Task<PodRuntimeState> LoadAsync(RuntimeSnapshots runtime, string podUid, CancellationToken cancellationToken)
    {
        var snapshot = await runtime.GetAsync(cancellationToken).ConfigureAwait(false);
        var sandboxes = snapshot.Sandboxes.Where(s => s.Config.PodUid == podUid)
            .OrderByDescending(s => s.Config.Attempt).ThenByDescending(s => s.CreatedAt).ToList();
        var ids = sandboxes.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var containers = snapshot.Containers.Where(c => ids.Contains(c.SandboxId)).ToList();
        return new PodRuntimeState(sandboxes, containers);
    }

    /// <summary>Instances of a container, newest first (by restart count, then creation).</summary>
    public IEnumerable<ContainerStatus> Instances(string name) =>
        Containers.Where(c => c.Name == name).OrderByDescending(c => c.Attempt).ThenByDescending(c => c.CreatedAt);

    /// <summary>The newest instance of a container in any sandbox.</summary>
    public ContainerStatus? Latest(string name) => Instances(name).FirstOrDefault();

    /// <summary>The newest instance of a container in <paramref name="sandboxId"/>.</summary>
    public ContainerStatus? LatestIn(string name, string sandboxId) => Instances(name).FirstOrDefault(c => c.SandboxId == sandboxId);

    /// <summary>The restart count the next instance of a container gets.</summary>
    public int NextAttempt(string name) => Latest(name) is { } latest ? latest.Attempt + 1 : 0;
}
