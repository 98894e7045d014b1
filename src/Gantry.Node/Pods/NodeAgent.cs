using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Node.Images;
using Gantry.Node.Network;
using Gantry.Node.Probes;
using Gantry.Node.Runtime;
using Gantry.Node.Volumes;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The node agent (kubelet): registers its Node and keeps its Lease and status fresh, and runs the pods bound to it
/// through the container runtime, image service, pod network and volume manager — one serialized worker per pod,
/// level-triggered by pod events, container exits (runtime relists), probe results and timers. After a restart it
/// adopts the containers the runtime still runs instead of restarting them, and removes what belongs to pods that are
/// gone.
/// </summary>
public sealed partial class NodeAgent : IAsyncDisposable
{
    private readonly IApiClient _client;
    private readonly NodeAgentOptions _options;
    private readonly NodePaths _paths;
    private readonly IContainerRuntime _runtime;
    private readonly IImageService _images;
    private readonly IPodNetwork _network;
    private readonly IVolumeManager _volumes;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (V1Pod Pod, bool Removed)> _pods = new(StringComparer.Ordinal);
    // Pods whose removal finished: a stale copy delivered later (e.g. by a relist) must not start them again.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _finished = new(StringComparer.Ordinal);
    // HTTPS probes and hooks do not verify the pod's certificate, as the kubelet's prober (InsecureSkipVerify).
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        UseProxy = false,
        UseCookies = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });
    private static readonly TimeSpan FinishedMemory = TimeSpan.FromMinutes(10);
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EventRecorder? _events;
    private ProbeManager? _probes;
    private PodWorkers? _workers;
    private PodSyncer? _syncer;

    /// <summary>An agent for <see cref="NodeAgentOptions.NodeName"/>; nothing happens before <see cref="RunAsync"/>.</summary>
    public NodeAgent(IApiClient client, NodeAgentOptions options, NodePaths paths, IContainerRuntime runtime, IImageService images, IPodNetwork network,
        IVolumeManager volumes, TimeProvider time, ILoggerFactory loggers)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _paths = paths ?? throw new ArgumentNullException(nameof(paths));
        _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
        _images = images ?? throw new ArgumentNullException(nameof(images));
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _volumes = volumes ?? throw new ArgumentNullException(nameof(volumes));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _loggers = loggers ?? throw new ArgumentNullException(nameof(loggers));
        _logger = loggers.CreateLogger<NodeAgent>();
    }

    /// <summary>Completes once the Node and its Lease are registered.</summary>
    public Task WaitForRegistrationAsync(CancellationToken cancellationToken = default) => _registered.Task.WaitAsync(cancellationToken);

    /// <summary>Registers the node, then runs its pods and heartbeats until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var machine = _options.Machine ?? MachineInfo.Read(_paths.DataDir);
        var node = new NodeFacts(_options.NodeIp ?? MachineInfo.DetectNodeIp(), machine, _options);
        _events = new EventRecorder(_client, "kubelet", _options.NodeName, _time, _loggers);
        var events = new PodEvents(_events, _time);
        var handlers = new HandlerRunner(_runtime, _http);
        _probes = new ProbeManager(handlers, _time, events.Warning, uid => _workers?.Enqueue(uid), _logger);
        var snapshots = new RuntimeSnapshots(_runtime);
        _syncer = new PodSyncer(_client, _options, _paths, _runtime, snapshots, _images, _network, _volumes, _probes, handlers, events, node, _time, _logger, AdmittedPodsExcept);
        _workers = new PodWorkers(SyncAsync, _time, _options.SyncErrorBackOff, _logger);
        var heartbeat = new NodeHeartbeat(_client, _options, node, _network, _images, _time, EnqueueAll, _logger);
        // The kubelet's nodeRef: events about the node carry its name as uid.
        var nodeRef = new V1Node { Kind = "Node", Metadata = new V1ObjectMeta { Name = _options.NodeName, Uid = _options.NodeName } };
        void NodeEvent(string type, string reason, string message) => _events.Record(nodeRef, type, reason, message);
        var disks = _options.FileSystemStats ?? new HostFileSystemStats();
        var logs = new ContainerLogManager(_runtime, _options.ContainerLogMaxSize, _options.ContainerLogMaxFiles, _time, _logger);
        var imageGc = new ImageGcManager(_images, _runtime, disks, _paths.ImageStoreDir, _options, NodeEvent, _time, _logger);
        var diskPressure = new DiskPressureMonitor(disks, _paths.DataDir, _paths.ImageStoreDir, _options, node, NodeEvent, _time, _logger);
        // Images present at start count as seen long ago (the kubelet's initial detection).
        imageGc.DetectImages();
        try
        {
            await heartbeat.RegisterAsync(cancellationToken).ConfigureAwait(false);
            _registered.TrySetResult();
            var informer = new Informer<V1Pod>(_client.For<V1Pod>(), new InformerOptions { FieldSelector = $"spec.nodeName={_options.NodeName}" }, _time, _loggers);
            informer.AddEventHandler(onAdd: Updated, onUpdate: Updated, onDelete: Removed);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var informing = informer.RunAsync(stop.Token);
            await informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            // Everything of pods that are no longer bound here goes before the workers start on the rest.
            await _syncer.CleanUpOrphansAsync(_pods.Keys.ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            EnqueueAll();
            await Task.WhenAll(
                informing,
                heartbeat.RunLeaseAsync(cancellationToken),
                heartbeat.RunStatusAsync(cancellationToken),
                RelistLoopAsync(snapshots, cancellationToken),
                EveryAsync(_options.HousekeepingInterval, HousekeepingAsync, cancellationToken),
                EveryAsync(_options.SyncFrequency, _ => { EnqueueAll(); return Task.CompletedTask; }, cancellationToken),
                EveryAsync(_options.ContainerLogMonitorInterval, logs.RotateLogsAsync, cancellationToken),
                EveryAsync(_options.EvictionMonitoringPeriod, _ => { diskPressure.Observe(); return Task.CompletedTask; }, cancellationToken),
                imageGc.Enabled ? EveryAsync(_options.ImageGcPeriod, imageGc.RunPassAsync, cancellationToken) : Task.CompletedTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await _workers.StopAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_workers is not null) await _workers.StopAsync().ConfigureAwait(false);
        if (_probes is not null) await _probes.DisposeAsync().ConfigureAwait(false);
        if (_events is not null) await _events.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private void Updated(V1Pod pod)
    {
        if (_finished.ContainsKey(pod.Metadata.Uid)) return;
        // Pods adopted after a restart make no new sandbox, yet their containers query the node's DNS: started for them too.
        if (pod.Status?.Phase is not ("Succeeded" or "Failed")) _ = _options.EnsureClusterDns?.Invoke(CancellationToken.None);
        _pods[pod.Metadata.Uid] = (pod, false);
        _workers?.Enqueue(pod.Metadata.Uid);
    }

    // As the kubelet's pod config: a change of status alone (mostly our own writes) is recorded but syncs nothing, except
    // for conditions that readiness gates wait on.
    private void Updated(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.Uid != pod.Metadata.Uid || DiffersBeyondStatus(old, pod) || ReadinessGateChanged(old, pod))
        {
            Updated(pod);
            return;
        }
        if (!_finished.ContainsKey(pod.Metadata.Uid)) _pods[pod.Metadata.Uid] = (pod, false);
    }

    private static bool DiffersBeyondStatus(V1Pod old, V1Pod pod) =>
        old.Metadata.DeletionTimestamp != pod.Metadata.DeletionTimestamp
        || old.Metadata.DeletionGracePeriodSeconds != pod.Metadata.DeletionGracePeriodSeconds
        || Json(old.Spec) != Json(pod.Spec)
        || Json(old.Metadata.Labels) != Json(pod.Metadata.Labels)
        || Json(old.Metadata.Annotations) != Json(pod.Metadata.Annotations);

    private static string Json(object? value) => value is null ? "" : k8s.KubernetesJson.Serialize(value);

    private static bool ReadinessGateChanged(V1Pod old, V1Pod pod)
    {
        if (pod.Spec.ReadinessGates is not { Count: > 0 } gates) return false;
        string Gates(V1Pod p) => string.Join(',', gates.Select(g => p.Status?.Conditions?.FirstOrDefault(c => c.Type == g.ConditionType)?.Status));
        return Gates(old) != Gates(pod);
    }

    private void Removed(V1Pod pod)
    {
        if (_finished.ContainsKey(pod.Metadata.Uid)) return;
        _pods[pod.Metadata.Uid] = (pod, true);
        _workers?.Enqueue(pod.Metadata.Uid);
    }

    private void EnqueueAll()
    {
        foreach (var uid in _pods.Keys) _workers?.Enqueue(uid);
    }

    private async Task<SyncOutcome> SyncAsync(string uid, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(uid, out var entry)) return new SyncOutcome(null, Finished: true);
        var outcome = await _syncer!.SyncAsync(entry.Pod, entry.Removed, cancellationToken).ConfigureAwait(false);
        if (outcome.Finished)
        {
            _finished[uid] = _time.GetUtcNow();
            _pods.TryRemove(uid, out _);
        }
        return outcome;
    }

    private IReadOnlyCollection<V1Pod> AdmittedPodsExcept(string uid) =>
        [.. _pods.Values.Where(e => !e.Removed && e.Pod.Metadata.Uid != uid && e.Pod.Metadata.DeletionTimestamp is null && _syncer!.IsAdmitted(e.Pod))
            .Select(e => e.Pod)];

    // The kubelet's PLEG: relist the runtime and sync every pod whose containers changed state (exits, adoptions).
    private async Task RelistLoopAsync(RuntimeSnapshots snapshots, CancellationToken cancellationToken)
    {
        var previous = new Dictionary<string, (ContainerState State, string SandboxId)>(StringComparer.Ordinal);
        await EveryAsync(_options.RuntimeRelistPeriod, async token =>
        {
            var snapshot = await snapshots.GetAsync(token).ConfigureAwait(false);
            var sandboxes = snapshot.Sandboxes.ToDictionary(s => s.Id, s => s, StringComparer.Ordinal);
            var containers = snapshot.Containers;
            var current = containers.ToDictionary(c => c.Id, c => (c.State, c.SandboxId), StringComparer.Ordinal);
            var changed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, now) in current)
            {
                if (!previous.TryGetValue(id, out var before) || before.State != now.State) changed.Add(now.SandboxId);
            }
            foreach (var (id, before) in previous) if (!current.ContainsKey(id)) changed.Add(before.SandboxId);
            previous = current;
            foreach (var sandboxId in changed)
            {
                if (sandboxes.TryGetValue(sandboxId, out var sandbox) && _pods.ContainsKey(sandbox.Config.PodUid)) _workers?.Enqueue(sandbox.Config.PodUid);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task HousekeepingAsync(CancellationToken cancellationToken)
    {
        var forgetBefore = _time.GetUtcNow() - FinishedMemory;
        foreach (var (uid, at) in _finished) if (at < forgetBefore) _finished.TryRemove(uid, out _);
        var known = _pods.Keys.ToHashSet(StringComparer.Ordinal);
        await _syncer!.CleanUpOrphansAsync(known, cancellationToken).ConfigureAwait(false);
    }

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, cancellationToken).ConfigureAwait(false);
                await action(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(_logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent background pass failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
