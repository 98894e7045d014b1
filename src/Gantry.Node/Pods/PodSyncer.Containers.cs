using System.Diagnostics;
using Gantry.Node.Images;
using Gantry.Node.Probes;
using Gantry.Node.Runtime;
using Gantry.Node.Volumes;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>computePodActions and SyncPod: which sandbox and containers to create, restart or kill, and doing it.</summary>
internal sealed partial class PodSyncer
{
    private async Task<TimeSpan?> SyncContainersAsync(V1Pod pod, PodRuntimeState runtime, PodState state, CancellationToken cancellationToken)
    {
        if (runtime.ReadySandbox is not null) return await SyncContainersAsync(pod, runtime, state, overlap: false, cancellationToken).ConfigureAwait(false);
        // A pod whose sandbox starts alone gets it made beside its volumes and its network set up beside its first
        // container. When several start at once (a burst), their CNI ADDs queue behind each other anyway: each goes step
        // by step, as the kubelet does, instead of piling up created containers (each with its monitor's thread) that
        // wait for their network.
        var alone = Interlocked.Increment(ref _sandboxStarts) == 1;
        try
        {
            return await SyncContainersAsync(pod, runtime, state, alone, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sandboxStarts);
        }
    }

    private async Task<TimeSpan?> SyncContainersAsync(V1Pod pod, PodRuntimeState runtime, PodState state, bool overlap, CancellationToken cancellationToken)
    {
        var sandbox = runtime.ReadySandbox;
        // A pod's first sandbox is created while its volumes are set up (the kubelet mounts them first, but the sandbox
        // needs none of them): its events wait for the volumes, and a volume failure removes it again, so the pod shows
        // what the kubelet's would. After a failed setup the volumes go first again, so a pod waiting for a missing
        // ConfigMap does not make and remove a sandbox at every retry.
        var sandboxEvents = new HeldPodEvents(_events, holding: true);
        var creating = overlap && runtime.Sandboxes.Count == 0 && !state.VolumesFailed && (pod.Spec.HostNetwork == true || _node.NetworkReady)
            ? CreateSandboxAsync(pod, 0, state, sandboxEvents, cancellationToken)
            : null;
        IReadOnlyDictionary<string, string>? volumes;
        try
        {
            volumes = await SetUpVolumesAsync(pod, state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (creating is not null)
        {
            await DiscardSandboxAsync(creating, sandboxEvents, cancellationToken).ConfigureAwait(false);
            throw;
        }
        if (volumes is null)
        {
            if (creating is not null) await DiscardSandboxAsync(creating, sandboxEvents, cancellationToken).ConfigureAwait(false);
            return _options.SyncErrorBackOff;
        }

        PendingNetwork? network = null;
        if (sandbox is null)
        {
            if (creating is null)
            {
                if (runtime.Sandboxes.Count > 0)
                {
                    // The sandbox died: everything in it goes; a Never pod whose containers already ran is not started again.
                    await KillPodAsync(pod, runtime, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
                    if (pod.Spec.RestartPolicy == "Never" && runtime.Containers.Count > 0) return null;
                }
                if (pod.Spec.HostNetwork != true && !_node.NetworkReady)
                {
                    _events.Warning(pod, "NetworkNotReady",
                        "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized");
                    return _options.SyncErrorBackOff;
                }
                var attempt = runtime.Sandboxes.Count == 0 ? 0 : runtime.Sandboxes.Max(s => s.Config.Attempt) + 1;
                creating = CreateSandboxAsync(pod, attempt, state, sandboxEvents, cancellationToken);
            }
            var created = await creating.ConfigureAwait(false);
            sandboxEvents.Release();
            if (created is null) return _options.SyncErrorBackOff;
            (sandbox, network) = created.Value;
            // A pod's first sandbox has no containers yet: only this worker adds them, so there is nothing to list.
            runtime = runtime.Sandboxes.Count == 0 ? new PodRuntimeState([sandbox], []) : await Reload(pod.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        }
        if (state.PodIps.Count == 0 && network is null) state.PodIps = KnownPodIps(pod);
        var hosts = pod.Spec.HostNetwork == true ? null : WriteHostsFile(pod, state);
        var start = new StartRequest(pod, sandbox, volumes, hosts, state, runtime, network, new HeldPodEvents(_events, holding: network is not null));
        if (!overlap && !await JoinNetworkAsync(start, cancellationToken).ConfigureAwait(false)) return _options.SyncErrorBackOff;
        TimeSpan? requeue;
        try
        {
            requeue = await SyncSandboxContainersAsync(start, runtime, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (network is not null)
        {
            // Whatever failed, the ADD in flight is waited for: its address is kept, or its sandbox removed.
            await JoinNetworkAsync(start, cancellationToken).ConfigureAwait(false);
            throw;
        }
        return await JoinNetworkAsync(start, cancellationToken).ConfigureAwait(false) ? requeue : _options.SyncErrorBackOff;
    }

    // The pod's volumes, or null after a FailedMount.
    private async Task<IReadOnlyDictionary<string, string>?> SetUpVolumesAsync(V1Pod pod, PodState state, CancellationToken cancellationToken)
    {
        try
        {
            var volumes = await _volumes.SetUpPodVolumesAsync(pod, cancellationToken).ConfigureAwait(false);
            state.VolumesFailed = false;
            return volumes;
        }
        catch (VolumeException ex)
        {
            state.VolumesFailed = true;
            _events.Warning(pod, "FailedMount", ex.Message);
            return null;
        }
    }

    private async Task<TimeSpan?> SyncSandboxContainersAsync(StartRequest start, PodRuntimeState runtime, CancellationToken cancellationToken)
    {
        var pod = start.Pod;
        var sandbox = start.Sandbox;
        // Containers the spec no longer names (an agent from before a spec change) are stopped.
        var names = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        await StopContainersAsync(pod, runtime.Containers.Where(c => !names.Contains(c.Name)), GracePeriod(pod), "Stopping container {0}", cancellationToken)
            .ConfigureAwait(false);

        TimeSpan? requeue = null;
        var (initDone, initRequeue) = await SyncInitContainersAsync(start, runtime, cancellationToken).ConfigureAwait(false);
        requeue = SyncOutcome.Earliest(requeue, initRequeue);
        if (!initDone) return requeue;
        var policy = pod.Spec.RestartPolicy ?? "Always";
        foreach (var container in pod.Spec.Containers)
        {
            var latest = runtime.LatestIn(container.Name, sandbox.Id);
            TimeSpan? next = null;
            if (latest is null) next = await StartContainerAsync(start, container, false, runtime.NextAttempt(container.Name), cancellationToken).ConfigureAwait(false);
            else if (latest.State == ContainerState.Running)
            {
                var reason = RestartReason(container, latest);
                if (reason is null) continue;
                await StopContainersAsync(pod, [latest], GracePeriod(pod), reason, cancellationToken).ConfigureAwait(false);
                if (policy != "Never") next = await StartContainerAsync(start, container, false, latest.Attempt + 1, cancellationToken).ConfigureAwait(false);
            }
            else if (latest.State == ContainerState.Created) await _runtime.StartContainerAsync(latest.Id, cancellationToken).ConfigureAwait(false);
            else if (ShouldRestart(policy, latest.ExitCode ?? 0)) next = await RestartWithBackoffAsync(start, container, false, latest, cancellationToken).ConfigureAwait(false);
            requeue = SyncOutcome.Earliest(requeue, next);
            // The sandbox's network failed (and the sandbox went with it): no more containers go into it.
            if (start.Network?.Joined is { IsCompletedSuccessfully: true, Result: false }) return requeue;
        }
        return requeue;
    }

    // Init containers one at a time, in order; a restartable (sidecar) one counts once it started and keeps running.
    private async Task<(bool Done, TimeSpan? Requeue)> SyncInitContainersAsync(StartRequest start, PodRuntimeState runtime, CancellationToken cancellationToken)
    {
        var policy = start.Pod.Spec.RestartPolicy ?? "Always";
        foreach (var init in start.Pod.Spec.InitContainers ?? [])
        {
            var sidecar = init.RestartPolicy == "Always";
            var latest = runtime.LatestIn(init.Name, start.Sandbox.Id);
            if (latest is null)
            {
                var requeue = await StartContainerAsync(start, init, true, runtime.NextAttempt(init.Name), cancellationToken).ConfigureAwait(false);
                return (false, requeue);
            }
            switch (latest.State)
            {
                case ContainerState.Created:
                    return (false, null);
                case ContainerState.Running:
                    if (sidecar && RestartReason(init, latest) is { } reason)
                    {
                        await StopContainersAsync(start.Pod, [latest], GracePeriod(start.Pod), reason, cancellationToken).ConfigureAwait(false);
                        return (false, await StartContainerAsync(start, init, true, latest.Attempt + 1, cancellationToken).ConfigureAwait(false));
                    }
                    if (sidecar && _probes.IsStarted(init, latest.Id)) continue;
                    return (false, null);
                default:
                    if (!sidecar && latest.ExitCode == 0) continue;
                    if (!sidecar && policy == "Never") return (false, null);
                    var next = await RestartWithBackoffAsync(start, init, true, latest, cancellationToken).ConfigureAwait(false);
                    if (sidecar) continue;
                    return (false, next);
            }
        }
        return (true, null);
    }

    private string? RestartReason(V1Container container, ContainerStatus running)
    {
        if (running.Annotations.TryGetValue(RuntimeLabels.ContainerHash, out var hash) && hash != RuntimeLabels.Hash(container))
            return $"Container {container.Name} definition changed, will be restarted";
        return _probes.FailedRestartProbe(running.Id) switch
        {
            ProbeKind.Liveness => $"Container {container.Name} failed liveness probe, will be restarted",
            ProbeKind.Startup => $"Container {container.Name} failed startup probe, will be restarted",
            _ => null,
        };
    }

    private static bool ShouldRestart(string policy, int exitCode) => policy == "Always" || (policy == "OnFailure" && exitCode != 0);

    // doBackOff: the first restart is immediate, the next ones wait 10 s, 20 s, ... up to 5 min after the last exit.
    private async Task<TimeSpan?> RestartWithBackoffAsync(StartRequest start, V1Container container, bool isInit, ContainerStatus exited, CancellationToken cancellationToken)
    {
        var key = $"{start.Pod.Metadata.Uid}/{container.Name}/{RuntimeLabels.Hash(container)}";
        var finished = exited.FinishedAt ?? _time.GetUtcNow();
        if (_crashBackoff.IsInBackOffSince(key, finished))
        {
            var delay = _crashBackoff.Get(key);
            start.State.Waiting[container.Name] = ("CrashLoopBackOff",
                $"back-off {GoDuration.Format(delay)} restarting failed container={container.Name} pod={PodNames.Format(start.Pod)}");
            start.Events.Warning(start.Pod, "BackOff", $"Back-off restarting failed container {container.Name} in pod {PodNames.Format(start.Pod)}");
            var left = finished + delay - _time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(10);
        }
        _crashBackoff.Next(key, finished);
        return await StartContainerAsync(start, container, isInit, exited.Attempt + 1, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TimeSpan?> StartContainerAsync(StartRequest start, V1Container container, bool isInit, int attempt, CancellationToken cancellationToken)
    {
        var pod = start.Pod;
        // The new sandbox's network is waited for first when this container needs its address (status.podIP in its
        // environment) or an image pull is coming (its events are not held back that long).
        if (start.Network is not null && (NeedsPodIp(container) || !IsImagePresent(container))
            && !await JoinNetworkAsync(start, cancellationToken).ConfigureAwait(false)) return _options.SyncErrorBackOff;
        var (image, imageRequeue) = await EnsureImageAsync(start, container, cancellationToken).ConfigureAwait(false);
        if (image is null) return imageRequeue;
        ContainerConfig config;
        try
        {
            var context = new PodContext(_node.NodeIp, start.State.PodIps, _node.Allocatable, _node.Machine.MemoryBytes);
            config = await _configs.BuildAsync(pod, container, isInit, attempt, image, start.Volumes, start.HostsFile, context, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ContainerConfigException ex)
        {
            return Failed(start, container, ex.Reason, ex.Message);
        }
        string id;
        try
        {
            id = await _runtime.CreateContainerAsync(start.Sandbox.Id, config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(start, container, "CreateContainerError", ex.Message);
        }
        // A failed network removes the sandbox, and this container with it.
        if (!await JoinNetworkAsync(start, cancellationToken).ConfigureAwait(false)) return _options.SyncErrorBackOff;
        start.Events.Normal(pod, "Created", $"Created container {container.Name}");
        try
        {
            await _runtime.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The instance that could not start goes, so the next attempt creates a fresh one.
            await _runtime.StopContainerAsync(id, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            await _runtime.RemoveContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return Failed(start, container, "RunContainerError", ex.Message);
        }
        start.Events.Normal(pod, "Started", $"Started container {container.Name}");
        // With fewer than two instances before this one, none can be beyond the newest exited one: no list needed.
        if (start.Runtime.Instances(container.Name).Skip(1).Any()) await RemoveOldInstancesAsync(container.Name, id, cancellationToken).ConfigureAwait(false);
        if (container.Lifecycle?.PostStart is { } postStart)
        {
            var (ok, message) = await RunHookAsync(pod, container, id, start.State, postStart, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                start.Events.Warning(pod, "FailedPostStartHook", message);
                await StopContainersAsync(pod, [await FindAsync(id, cancellationToken).ConfigureAwait(false)], GracePeriod(pod),
                    "FailedPostStartHook", cancellationToken, runPreStop: false).ConfigureAwait(false);
            }
        }
        return null;
    }

    private TimeSpan? Failed(StartRequest start, V1Container container, string reason, string message)
    {
        start.State.Waiting[container.Name] = (reason, message);
        start.Events.Warning(start.Pod, "Failed", "Error: " + message);
        return _options.SyncErrorBackOff;
    }

    // The image puller: pull per policy, ErrImagePull on failure, then ImagePullBackOff until the back-off ends.
    private async Task<(ImageInfo?, TimeSpan?)> EnsureImageAsync(StartRequest start, V1Container container, CancellationToken cancellationToken)
    {
        var pod = start.Pod;
        var reference = container.Image;
        var key = $"{pod.Metadata.Uid}/{reference}";
        var now = _time.GetUtcNow();
        if (_imageBackoff.IsInBackOffSinceUpdate(key, now))
        {
            var message = $"Back-off pulling image \"{reference}\"";
            start.State.Waiting[container.Name] = ("ImagePullBackOff", message);
            start.Events.Normal(pod, "BackOff", message);
            return (null, _imageBackoff.Remaining(key, now));
        }
        var policy = PullPolicy(container);
        var present = IsImagePresent(container);
        if (present) start.Events.Normal(pod, "Pulled", $"Container image \"{reference}\" already present on machine");
        else if (policy != "Never") start.Events.Normal(pod, "Pulling", $"Pulling image \"{reference}\"");
        var watch = Stopwatch.StartNew();
        try
        {
            var credentials = await PullSecrets.ReadAsync(_client, pod, cancellationToken).ConfigureAwait(false);
            var image = await _images.EnsureImageAsync(reference, policy, credentials, cancellationToken).ConfigureAwait(false);
            if (!present)
            {
                var took = GoDuration.Format(TimeSpan.FromMilliseconds(Math.Round(watch.Elapsed.TotalMilliseconds)));
                start.Events.Normal(pod, "Pulled", $"Successfully pulled image \"{reference}\" in {took} ({took} including waiting). Image size: {image.Size} bytes.");
            }
            return (image, null);
        }
        catch (ImagePullException ex)
        {
            _imageBackoff.Next(key, now);
            start.State.Waiting[container.Name] = (ex.Reason, ex.Message);
            if (ex.Reason == "ErrImagePull") start.Events.Warning(pod, "Failed", $"Failed to pull image \"{reference}\": {ex.Message}");
            start.Events.Warning(pod, ex.Reason == "ErrImageNeverPull" ? "ErrImageNeverPull" : "Failed",
                ex.Reason == "ErrImageNeverPull" ? ex.Message : "Error: " + ex.Reason);
            return (null, _imageBackoff.Get(key));
        }
    }

    // The defaulted imagePullPolicy: Always for :latest or no tag, IfNotPresent otherwise.
    private static string PullPolicy(V1Container container) =>
        container.ImagePullPolicy ?? (container.Image.Contains('@', StringComparison.Ordinal) || (container.Image.Split('/')[^1].Contains(':', StringComparison.Ordinal)
            && !container.Image.EndsWith(":latest", StringComparison.Ordinal)) ? "IfNotPresent" : "Always");

    // Whether the image puller will use the node's copy without pulling.
    private bool IsImagePresent(V1Container container) => PullPolicy(container) != "Always" && _images.Find(container.Image) is not null;

    private static bool NeedsPodIp(V1Container container) => (container.Env ?? []).Any(e => e.ValueFrom?.FieldRef?.FieldPath is "status.podIP" or "status.podIPs");

    // Keeps the newest exited instance (previous logs, lastState) beside the running one; older ones are removed.
    private async Task RemoveOldInstancesAsync(string name, string currentId, CancellationToken cancellationToken)
    {
        var all = (await _snapshots.GetAsync(cancellationToken).ConfigureAwait(false)).Containers;
        var current = all.FirstOrDefault(c => c.Id == currentId);
        if (current is null) return;
        var stale = all.Where(c => c.Name == name && c.Id != currentId && c.State == ContainerState.Exited && c.Labels.GetValueOrDefault(RuntimeLabels.PodUid) ==
                current.Labels.GetValueOrDefault(RuntimeLabels.PodUid))
            .OrderByDescending(c => c.Attempt).Skip(1).ToList();
        foreach (var container in stale) await _runtime.RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
        _messages.Forget(stale.Select(c => c.Id));
    }

    private async Task<ContainerStatus> FindAsync(string id, CancellationToken cancellationToken) =>
        (await _snapshots.GetAsync(cancellationToken).ConfigureAwait(false)).Containers.First(c => c.Id == id);

    /// <summary>What starting a container of this sync needs.</summary>
    private sealed record StartRequest(V1Pod Pod, PodSandbox Sandbox, IReadOnlyDictionary<string, string> Volumes, string? HostsFile, PodState State,
        PodRuntimeState Runtime, PendingNetwork? Network, HeldPodEvents Events);
}
