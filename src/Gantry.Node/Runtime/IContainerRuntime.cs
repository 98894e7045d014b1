namespace Gantry.Node.Runtime;

/// <summary>
/// The container engine seen by the agent, shaped like the CRI RuntimeService: pod sandboxes (pinned namespaces, no
/// infra container) and containers inside them. Implementations: <c>RuncRuntime</c> (runc + conmon, real isolation) and
/// <c>FakeRuntime</c> (unit tests and hollow nodes only, never a fallback). Everything the runtime knows survives an
/// agent restart: <see cref="ListPodSandboxesAsync"/> and <see cref="ListContainersAsync"/> rebuild the picture from disk.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Creates the pod's namespaces (network, IPC, UTS with the pod's hostname) and returns the sandbox.</summary>
    Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken);

    /// <summary>Kills every container of the sandbox (no grace: callers stop containers gracefully first).</summary>
    Task StopPodSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a stopped sandbox: its containers, pinned namespaces, pod cgroup and files. Idempotent.</summary>
    Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Every sandbox this runtime (this node) owns.</summary>
    Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(CancellationToken cancellationToken);

    /// <summary>Prepares a container (rootfs, bundle, cgroup) in a sandbox without starting it; returns its id.</summary>
    Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken);

    /// <summary>Starts a created container under its monitor.</summary>
    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>SIGTERM (or the image's stop signal), then SIGKILL after <paramref name="gracePeriod"/>; returns once it exited.</summary>
    Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes an exited container: runc state, bundle, rootfs mount. Its log file stays. Idempotent.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Every container this runtime owns, with its current state.</summary>
    Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes a running container's monitor close its log file and start a new one at the container's log path (CRI
    /// ReopenContainerLog, after the kubelet renamed the file to rotate it); returns once the new file exists.
    /// </summary>
    Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Runs a command in a running container and collects its output (probes, preStop hooks).</summary>
    Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Starts an interactive command in a running container (kubectl exec); the caller pumps its streams.</summary>
    Task<IStreamingProcess> ExecAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken);

    /// <summary>Attaches to a running container's main process stdio (kubectl attach).</summary>
    Task<IStreamingProcess> AttachAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken);

    /// <summary>A TCP connection to <paramref name="port"/> on the sandbox's loopback (kubectl port-forward).</summary>
    Task<Stream> PortForwardAsync(string sandboxId, int port, CancellationToken cancellationToken);
}
