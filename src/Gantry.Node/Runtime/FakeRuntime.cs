using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// An in-memory <see cref="IContainerRuntime"/> for unit tests and hollow nodes only (never a fallback for runc): its
/// containers "run" until the test makes them exit (<see cref="Exit"/>, <see cref="OomKill"/>) or the agent stops them,
/// and exec results come from <see cref="ExecHandler"/>. Its state outlives any agent built on it, so a second agent over
/// the same instance sees what an agent restarted after kill -9 would see on a real node.
/// </summary>
public sealed class FakeRuntime : IContainerRuntime
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PodSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _containers = new(StringComparer.Ordinal);
    private long _nextId;
    private int _createdContainers;

    /// <summary>An empty runtime reading time from <paramref name="time"/>.</summary>
    public FakeRuntime(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Answers ExecSync (probes, hooks): config of the container and command in, result out; exit 0 by default.</summary>
    public Func<ContainerConfig, IReadOnlyList<string>, ExecResult> ExecHandler { get; set; } = (_, _) => new ExecResult(0, "", "");

    /// <summary>Containers whose name is listed ignore the stop signal and are killed only when their grace period ends.</summary>
    public ISet<string> IgnoreStopSignal { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>How many containers were ever created (restarts show up here).</summary>
    public int CreatedContainers
    {
        get { lock (_lock) return _createdContainers; }
    }

    /// <summary>The config a container was created with.</summary>
    public ContainerConfig ConfigOf(string containerId)
    {
        lock (_lock) return Get(containerId).Config;
    }

    /// <summary>The running container named <paramref name="name"/> in the pod with uid <paramref name="podUid"/>, or null.</summary>
    public string? FindRunning(string podUid, string name)
    {
        lock (_lock)
        {
            return _containers.Values.Where(c => c.State == ContainerState.Running && c.Config.Name == name && _sandboxes[c.SandboxId].Config.PodUid == podUid)
                .Select(c => c.Id).FirstOrDefault();
        }
    }

    /// <summary>Makes a running container's process exit with <paramref name="exitCode"/>.</summary>
    public void Exit(string containerId, int exitCode, string? reason = null)
    {
        lock (_lock) Finish(Get(containerId), exitCode, reason ?? (exitCode == 0 ? "Completed" : "Error"));
    }

    /// <summary>Makes a running container be killed by the OOM killer (exit 137, reason OOMKilled).</summary>
    public void OomKill(string containerId) => Exit(containerId, 137, "OOMKilled");

    /// <inheritdoc />
    public Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            var id = NewId("sandbox");
            var sandbox = new PodSandbox
            {
                Id = id,
                Config = config,
                Ready = true,
                NetworkNamespacePath = config.HostNetwork ? null : $"/run/fake-netns/{id}",
                CreatedAt = _time.GetUtcNow(),
            };
            _sandboxes[id] = sandbox;
            return Task.FromResult(sandbox);
        }
    }

    /// <inheritdoc />
    public Task StopPodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_sandboxes.TryGetValue(sandboxId, out var sandbox)) return Task.CompletedTask;
            foreach (var container in _containers.Values.Where(c => c.SandboxId == sandboxId && c.State != ContainerState.Exited))
                Finish(container, 137, "Error");
            _sandboxes[sandboxId] = sandbox with { Ready = false };
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_sandboxes.TryGetValue(sandboxId, out var sandbox) && sandbox.Ready)
                throw new InvalidOperationException($"sandbox {sandboxId} must be stopped before it is removed");
            _sandboxes.Remove(sandboxId);
            foreach (var id in _containers.Values.Where(c => c.SandboxId == sandboxId).Select(c => c.Id).ToList()) _containers.Remove(id);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<PodSandbox>>([.. _sandboxes.Values]);
    }

    /// <inheritdoc />
    public Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            if (!_sandboxes.TryGetValue(sandboxId, out var sandbox) || !sandbox.Ready)
                throw new InvalidOperationException($"sandbox {sandboxId} is not ready");
            var id = NewId("container");
            _createdContainers++;
            _containers[id] = new Entry(id, sandboxId, config, _time.GetUtcNow());
            return Task.FromResult(id);
        }
    }

    /// <inheritdoc />
    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var container = Get(containerId);
            if (container.State != ContainerState.Created) throw new InvalidOperationException($"container {containerId} is {container.State}");
            container.State = ContainerState.Running;
            container.StartedAt = _time.GetUtcNow();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        bool ignores;
        lock (_lock)
        {
            var container = Get(containerId);
            if (container.State == ContainerState.Exited) return;
            if (container.State == ContainerState.Created)
            {
                Finish(container, 0, "Completed");
                return;
            }
            ignores = IgnoreStopSignal.Contains(container.Config.Name);
            if (!ignores) Finish(container, 143, "Error");
        }
        if (!ignores) return;
        // The process ignores SIGTERM: it runs until SIGKILL at the end of the grace period (or exits on its own first).
        if (gracePeriod > TimeSpan.Zero) await Task.Delay(gracePeriod, _time, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_containers.TryGetValue(containerId, out var container) && container.State != ContainerState.Exited) Finish(container, 137, "Error");
        }
    }

    /// <inheritdoc />
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_containers.TryGetValue(containerId, out var container) && container.State == ContainerState.Running)
                throw new InvalidOperationException($"container {containerId} is running");
            _containers.Remove(containerId);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<ContainerStatus>>([.. _containers.Values.Select(c => c.ToStatus())]);
    }

    /// <summary>How many times each container was asked to reopen its log.</summary>
    public int LogReopens(string containerId)
    {
        lock (_lock) return Get(containerId).LogReopens;
    }

    /// <inheritdoc />
    public Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var container = Get(containerId);
            if (container.State != ContainerState.Running) throw new InvalidOperationException($"container {containerId} is not running");
            container.LogReopens++;
            // As a monitor would: a new, empty file at the log path when the old one was renamed away.
            if (container.Config.LogPath.Length > 0 && !File.Exists(container.Config.LogPath))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(container.Config.LogPath)!);
                File.WriteAllBytes(container.Config.LogPath, []);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ContainerConfig config;
        lock (_lock)
        {
            var container = Get(containerId);
            if (container.State != ContainerState.Running) throw new InvalidOperationException($"container {containerId} is not running");
            config = container.Config;
        }
        return Task.FromResult(ExecHandler(config, command));
    }

    /// <inheritdoc />
    public async Task<IStreamingProcess> ExecAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await ExecSyncAsync(containerId, request.Command, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        return new FinishedProcess(result);
    }

    /// <inheritdoc />
    public Task<IStreamingProcess> AttachAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var container = Get(containerId);
            // Fake processes write nothing: an attach sees empty streams and the exit code once the container exited.
            return Task.FromResult<IStreamingProcess>(new FinishedProcess(new ExecResult(container.ExitCode ?? 0, "", "")));
        }
    }

    /// <inheritdoc />
    public Task<Stream> PortForwardAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        throw new NotSupportedException("FakeRuntime sandboxes have no network namespace to forward ports into");

    private Entry Get(string containerId) =>
        _containers.TryGetValue(containerId, out var container) ? container : throw new KeyNotFoundException($"container {containerId} not found");

    private string NewId(string kind) => $"fake-{kind}-{(++_nextId).ToString("x8", CultureInfo.InvariantCulture)}";

    private void Finish(Entry container, int exitCode, string reason)
    {
        if (container.State == ContainerState.Exited) return;
        container.State = ContainerState.Exited;
        container.ExitCode = exitCode;
        container.Reason = reason;
        container.FinishedAt = _time.GetUtcNow();
    }

    private sealed class Entry(string id, string sandboxId, ContainerConfig config, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;
        public string SandboxId { get; } = sandboxId;
        public ContainerConfig Config { get; } = config;
        public ContainerState State { get; set; } = ContainerState.Created;
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public int? ExitCode { get; set; }
        public string? Reason { get; set; }
        public int LogReopens { get; set; }

        public ContainerStatus ToStatus() => new()
        {
            Id = Id,
            SandboxId = SandboxId,
            Name = Config.Name,
            Attempt = Config.Attempt,
            State = State,
            Image = Config.Image.RepoTags.FirstOrDefault() ?? Config.Image.Id,
            ImageId = Config.Image.Id,
            CreatedAt = createdAt,
            StartedAt = StartedAt,
            FinishedAt = FinishedAt,
            ExitCode = ExitCode,
            Reason = Reason,
            LogPath = Config.LogPath,
            Labels = Config.Labels,
            Annotations = Config.Annotations,
        };
    }

    private sealed class FinishedProcess(ExecResult result) : IStreamingProcess
    {
        public Stream? Stdin => null;
        public Stream? Stdout { get; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(result.Stdout), writable: false);
        public Stream? Stderr { get; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(result.Stderr), writable: false);
        public Task<int> Completion { get; } = Task.FromResult(result.ExitCode);
        public void Resize(ushort columns, ushort rows) { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
