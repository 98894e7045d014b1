using Gantry.Node.Images;

namespace Gantry.Node.Runtime;

/// <summary>
/// Everything the runtime needs to create one container, already resolved by the agent from the pod spec (command and
/// args merged with the image's entrypoint, env values looked up, volumes mounted on the host, security context merged
/// from pod and container level). The runtime turns it into an OCI runtime spec; it never reads the pod spec itself.
/// </summary>
public sealed record ContainerConfig
{
    /// <summary>The container's name in the pod.</summary>
    public required string Name { get; init; }

    /// <summary>Restart count of this container in the pod: the n-th instance, starting at 0.</summary>
    public int Attempt { get; init; }

    /// <summary>The image to run (layers already unpacked in the image store).</summary>
    public required ImageInfo Image { get; init; }

    /// <summary>The process: entrypoint followed by arguments (never empty).</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>Environment as NAME=value, in order (image env first, then the pod's).</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Working directory; the image's or "/" when empty.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Bind mounts from host paths the agent prepared.</summary>
    public IReadOnlyList<Mount> Mounts { get; init; } = [];

    /// <summary>Host devices to expose (privileged containers get all of them regardless).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>cgroup limits of the container.</summary>
    public LinuxResources Resources { get; init; } = new();

    /// <summary>Users, capabilities and the other securityContext settings.</summary>
    public SecurityOptions Security { get; init; } = new();

    /// <summary>Allocate a terminal (spec.containers[].tty).</summary>
    public bool Tty { get; init; }

    /// <summary>Keep stdin open for attach (spec.containers[].stdin).</summary>
    public bool Stdin { get; init; }

    /// <summary>Close stdin after the first attach detaches (spec.containers[].stdinOnce).</summary>
    public bool StdinOnce { get; init; }

    /// <summary>Where the monitor writes the CRI-format log of this instance.</summary>
    public required string LogPath { get; init; }

    /// <summary>The signal that stops the container gracefully (from the image; SIGTERM when unset).</summary>
    public string? StopSignal { get; init; }

    /// <summary>Labels to find the container again (pod uid, container name and attempt are always recorded).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Free-form values the agent wants back in <see cref="ContainerStatus.Annotations"/> (e.g. the spec hash).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
