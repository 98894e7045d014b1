using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Node.Images;
using Gantry.Node.Network;
using Gantry.Node.Probes;
using Gantry.Node.Runtime;
using Gantry.Node.Volumes;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// One level-triggered sync of one pod, as the kubelet's syncPod / SyncTerminatingPod and kuberuntime's SyncPod with
/// computePodActions: admission, deadline, volumes, sandbox and network, init containers in order, containers with
/// their restart policy and back-offs, probes, graceful termination and removal, then the status. Everything it
/// decides comes from the pod spec, the runtime's containers (with their labels) and the API, so a restarted agent
/// picks up where the last one stopped.
/// </summary>
internal sealed partial class PodSyncer
{
    private readonly IApiClient _client;
    private readonly NodeAgentOptions _options;
    private readonly NodePaths _paths;
    private readonly IContainerRuntime _runtime;
    private readonly RuntimeSnapshots _snapshots;
    private readonly IImageService _images;
    private readonly IPodNetwork _network;
    private readonly IVolumeManager _volumes;
    private readonly ProbeManager _probes;
    private readonly HandlerRunner _handlers;
    private readonly StatusManager _status;
    private readonly PodStatusGenerator _generator;
    private readonly TerminationMessages _messages;
    private readonly ContainerConfigBuilder _configs;
    private readonly PodEvents _events;
    private readonly NodeFacts _node;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _crashBackoff;
    private readonly Backoff _imageBackoff;
    private readonly ConcurrentDictionary<string, PodState> _states = new(StringComparer.Ordinal);
    private readonly Func<string, IReadOnlyCollection<V1Pod>> _admittedPods;
    // Admissions run one at a time, so two pods synced in parallel cannot both take the node's last room.
    private readonly Lock _admission = new();
    // Syncs creating a sandbox right now (see SyncContainersAsync).
    private int _sandboxStarts;

    /// <summary>A syncer over the node's seams; <paramref name="admittedPods"/> lists the other admitted, unfinished pods.</summary>
    public PodSyncer(IApiClient client, NodeAgentOptions options, NodePaths paths, IContainerRuntime runtime, RuntimeSnapshots snapshots, IImageService images, IPodNetwork network,
        IVolumeManager volumes, ProbeManager probes, HandlerRunner handlers, PodEvents events, NodeFacts node, TimeProvider time, ILogger logger,
        Func<string, IReadOnlyCollection<V1Pod>> admittedPods)
    {
        _client = client;
        _options = options;
        _paths = paths;
        _runtime = runtime;
        _snapshots = snapshots;
        _images = images;
        _network = network;
        _volumes = volumes;
        _probes = probes;
        _handlers = handlers;
        _events = events;
        _node = node;
        _time = time;
        _logger = logger;
        _admittedPods = admittedPods;
        _status = new StatusManager(client);
        _messages = new TerminationMessages();
        _generator = new PodStatusGenerator(probes, images, _messages, options.ContainerRuntimeVersion.Split("://")[0]);
        _configs = new ContainerConfigBuilder(new EnvironmentBuilder(client), paths);
        _crashBackoff = new Backoff(time, options.CrashLoopBackOffInitial, options.CrashLoopBackOffMax, options.CrashLoopBackOffReset);
        _imageBackoff = new Backoff(time, options.ImagePullBackOffInitial, options.ImagePullBackOffMax, options.ImagePullBackOffMax * 2);
    }

    /// <summary>Whether the pod passed admission and is not finished (counts against the node's room).</summary>
    public bool IsAdmitted(V1Pod pod) =>
        _states.TryGetValue(pod.Metadata.Uid, out var state) && state.Admitted && state.TerminalReason is null && !IsTerminal(pod);

    /// <summary>Brings one pod's containers and status in line with its spec; <paramref name="removed"/> once it left the API.</summary>
    public async Task<SyncOutcome> SyncAsync(V1Pod pod, bool removed, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var state = _states.GetOrAdd(uid, _ => new PodState());
        var runtime = await PodRuntimeState.LoadAsync(_snapshots, uid, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            _probes.RemovePod(uid);
            await KillPodAsync(pod, runtime, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
            await CleanUpAsync(uid, cancellationToken).ConfigureAwait(false);
            _states.TryRemove(uid, out _);
            _status.Forget(uid);
            _crashBackoff.ForgetPrefix(uid);
            _imageBackoff.ForgetPrefix(uid);
            _events.Forget(uid);
            return new SyncOutcome(null, Finished: true);
        }
        if (pod.Metadata.DeletionTimestamp is not null || state.Terminating)
        {
            state.Terminating = true;
            await TerminateAsync(pod, runtime, state, cancellationToken).ConfigureAwait(false);
            return SyncOutcome.Idle;
        }
        if (!state.Admitted && !Admit(pod, runtime, state))
        {
            await WriteStatusAsync(pod, runtime, state, podIsTerminal: true, cancellationToken).ConfigureAwait(false);
            return SyncOutcome.Idle;
        }
        // Once finished a pod never runs again, even when a stale copy of it still says Running.
        if (IsTerminal(pod) || state.TerminalReason is not null || state.SandboxReleased)
        {
            await ReleaseFinishedPodAsync(pod, runtime, state, cancellationToken).ConfigureAwait(false);
            await WriteStatusAsync(pod, await Reload(uid, cancellationToken).ConfigureAwait(false), state, podIsTerminal: true, cancellationToken).ConfigureAwait(false);
            return SyncOutcome.Idle;
        }
        if (ActiveDeadline(pod, pod.Status?.StartTime) is { } deadline)
        {
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                state.TerminalReason = "DeadlineExceeded";
                state.TerminalMessage = "Pod was active on the node longer than the specified deadline";
                _events.Warning(pod, "DeadlineExceeded", state.TerminalMessage);
                return await SyncAsync(pod, removed: false, cancellationToken).ConfigureAwait(false);
            }
        }

        // The first status (Pending, startTime) is computed now and written while the sandbox and containers start, as
        // the kubelet's status manager writes in the background; the status after the sync waits for it.
        var initialStatus = pod.Status?.StartTime is null ? WriteStatusAsync(pod, runtime, state, podIsTerminal: false, cancellationToken) : null;
        state.Waiting.Clear();
        TimeSpan? requeue;
        try
        {
            requeue = await SyncContainersAsync(pod, runtime, state, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (initialStatus is not null) await initialStatus.ConfigureAwait(false);
        }
        runtime = await Reload(uid, cancellationToken).ConfigureAwait(false);
        var status = await WriteStatusAsync(pod, runtime, state, podIsTerminal: false, cancellationToken).ConfigureAwait(false);
        if (status.Phase is "Succeeded" or "Failed")
        {
            await ReleaseFinishedPodAsync(pod, runtime, state, cancellationToken).ConfigureAwait(false);
            return SyncOutcome.Idle;
        }
        SyncProbes(pod, runtime, state);
        if (ActiveDeadline(pod, status.StartTime) is { } end) requeue = SyncOutcome.Earliest(requeue, end - _time.GetUtcNow());
        return new SyncOutcome(requeue);
    }

    /// <summary>Kills and removes sandboxes and volumes of pods the agent no longer has (orphans after a restart or a missed delete).</summary>
    public async Task CleanUpOrphansAsync(IReadOnlySet<string> knownPodUids, CancellationToken cancellationToken)
    {
        var sandboxes = (await _snapshots.GetAsync(cancellationToken).ConfigureAwait(false)).Sandboxes;
        foreach (var uid in sandboxes.Select(s => s.Config.PodUid).Where(u => !knownPodUids.Contains(u)).Distinct(StringComparer.Ordinal).ToList())
        {
            LogOrphan(_logger, uid);
            var runtime = await PodRuntimeState.LoadAsync(_snapshots, uid, cancellationToken).ConfigureAwait(false);
            await StopContainersAsync(null, runtime.Containers, _options.DefaultTerminationGracePeriod, "Stopping container {0}", cancellationToken).ConfigureAwait(false);
            await CleanUpAsync(uid, cancellationToken).ConfigureAwait(false);
        }
        foreach (var uid in _volumes.PodsWithVolumes().Where(u => !knownPodUids.Contains(u)).ToList())
            await CleanUpAsync(uid, cancellationToken).ConfigureAwait(false);
    }

    private bool Admit(V1Pod pod, PodRuntimeState runtime, PodState state)
    {
        // A pod the runtime already runs (agent restart) or that already finished is not admitted again.
        if (runtime.Sandboxes.Count > 0 || IsTerminal(pod))
        {
            state.Admitted = true;
            return true;
        }
        (string Reason, string Message)? rejection;
        lock (_admission)
        {
            rejection = PodAdmission.Check(pod, _admittedPods(pod.Metadata.Uid), _node.AllocatableMilliCpu, _node.AllocatableMemory, _options.MaxPods);
            state.Admitted = true;
            if (rejection is not null) state.TerminalReason = rejection.Value.Reason;
        }
        if (rejection is not { } r) return true;
        state.TerminalMessage = "Pod was rejected: " + r.Message;
        _events.Warning(pod, r.Reason, r.Message);
        return false;
    }

    // The pod is being deleted: stop everything gracefully, report the final status, release the node's resources and
    // remove the pod object for good (grace 0, uid precondition), as the kubelet's status manager does.
    private async Task TerminateAsync(V1Pod pod, PodRuntimeState runtime, PodState state, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        _probes.RemovePod(uid);
        if (!state.Terminated)
        {
            await KillPodAsync(pod, runtime, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
            await WriteStatusAsync(pod, await Reload(uid, cancellationToken).ConfigureAwait(false), state, podIsTerminal: true, cancellationToken).ConfigureAwait(false);
            await CleanUpAsync(uid, cancellationToken).ConfigureAwait(false);
            state.Terminated = true;
        }
        try
        {
            await _client.For<V1Pod>().DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name,
                new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = uid }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConflictException)
        {
            // The uid precondition failed: a new pod took the name; it has its own worker.
        }
    }

    // A finished pod keeps its containers (for logs and status) but gives back its address, sandbox and volumes.
    private async Task ReleaseFinishedPodAsync(V1Pod pod, PodRuntimeState runtime, PodState state, CancellationToken cancellationToken)
    {
        _probes.RemovePod(pod.Metadata.Uid);
        if (state.SandboxReleased) return;
        await KillPodAsync(pod, runtime, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
        await _volumes.TearDownPodVolumesAsync(pod.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        state.SandboxReleased = true;
    }

    private async Task CleanUpAsync(string uid, CancellationToken cancellationToken)
    {
        var runtime = await PodRuntimeState.LoadAsync(_snapshots, uid, cancellationToken).ConfigureAwait(false);
        foreach (var sandbox in runtime.Sandboxes)
        {
            await StopSandboxAsync(sandbox, cancellationToken).ConfigureAwait(false);
            await _runtime.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
        }
        _messages.Forget(runtime.Containers.Select(c => c.Id));
        await _volumes.TearDownPodVolumesAsync(uid, cancellationToken).ConfigureAwait(false);
        var podDir = Path.Combine(_paths.PodsDir, uid);
        foreach (var own in (string[])["containers", "etc-hosts"])
        {
            var path = Path.Combine(podDir, own);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
        if (Directory.Exists(podDir) && !Directory.EnumerateFileSystemEntries(podDir).Any()) Directory.Delete(podDir);
        // The pod's logs go with it, as the kubelet's container garbage collector removes them.
        if (Directory.Exists(_paths.PodLogsDir))
        {
            foreach (var logs in Directory.EnumerateDirectories(_paths.PodLogsDir, "*_" + uid)) Directory.Delete(logs, recursive: true);
        }
    }

    private async Task<V1PodStatus> WriteStatusAsync(V1Pod pod, PodRuntimeState runtime, PodState state, bool podIsTerminal, CancellationToken cancellationToken)
    {
        if (state.PodIps.Count == 0) state.PodIps = KnownPodIps(pod);
        var status = _generator.Generate(pod, runtime, state, _node.NodeIp, _time.GetUtcNow(), podIsTerminal);
        await _status.WriteAsync(pod, status, cancellationToken).ConfigureAwait(false);
        return status;
    }

    // After an agent restart the runtime does not report addresses: the pod's own status still has them.
    private IReadOnlyList<string> KnownPodIps(V1Pod pod) =>
        pod.Spec.HostNetwork == true ? [_node.NodeIp] : pod.Status?.PodIPs?.Select(p => p.Ip).ToList() ?? [];

    private void SyncProbes(V1Pod pod, PodRuntimeState runtime, PodState state)
    {
        var sandbox = runtime.ReadySandbox;
        var running = runtime.Containers.Where(c => c.State == ContainerState.Running && c.SandboxId == sandbox?.Id && c.StartedAt is not null)
            .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => (g.First().Id, g.First().StartedAt!.Value), StringComparer.Ordinal);
        _probes.Sync(pod, running, state.PodIps.FirstOrDefault() ?? _node.NodeIp);
    }

    private Task<PodRuntimeState> Reload(string uid, CancellationToken cancellationToken) => PodRuntimeState.LoadAsync(_snapshots, uid, cancellationToken);

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private static DateTimeOffset? ActiveDeadline(V1Pod pod, DateTime? startTime) =>
        pod.Spec.ActiveDeadlineSeconds is { } seconds && startTime is { } start
            ? new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)) + TimeSpan.FromSeconds(seconds)
            : null;

    // The grace period of a kill: the deletion's when the pod is being deleted, else the spec's.
    private TimeSpan GracePeriod(V1Pod pod) =>
        pod.Metadata.DeletionGracePeriodSeconds is { } deletion ? TimeSpan.FromSeconds(deletion)
        : pod.Spec.TerminationGracePeriodSeconds is { } spec ? TimeSpan.FromSeconds(spec)
        : _options.DefaultTerminationGracePeriod;

    [LoggerMessage(Level = LogLevel.Information, Message = "removing the sandboxes of pod {PodUid}, which is no longer bound to this node")]
    private static partial void LogOrphan(ILogger logger, string podUid);
}
