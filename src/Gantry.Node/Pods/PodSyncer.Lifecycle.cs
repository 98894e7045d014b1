using System.Globalization;
using System.Text;
using Gantry.Node.Network;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>Sandboxes, graceful stops with preStop hooks, lifecycle hooks and the pod's /etc/hosts.</summary>
internal sealed partial class PodSyncer
{
    private static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromSeconds(2);

    // The sandbox's namespaces; its CNI ADD is started, not awaited: it runs while the first container is created, and
    // JoinNetworkAsync waits for it before that container starts.
    private async Task<(PodSandbox Sandbox, PendingNetwork? Network)?> CreateSandboxAsync(V1Pod pod, int attempt, PodState state, HeldPodEvents events,
        CancellationToken cancellationToken)
    {
        var config = new PodSandboxConfig
        {
            PodUid = pod.Metadata.Uid,
            PodNamespace = pod.Metadata.NamespaceProperty,
            PodName = pod.Metadata.Name,
            Attempt = attempt,
            Hostname = pod.Spec.HostNetwork == true ? Environment.MachineName : string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname,
            ResolvConf = ResolvConf.For(pod, _options),
            HostNetwork = pod.Spec.HostNetwork == true,
            HostIpc = pod.Spec.HostIPC == true,
            HostPid = pod.Spec.HostPID == true,
            CgroupParent = PodResources.CgroupParent(_paths, pod),
            Resources = PodResources.ForPod(pod),
            Labels = RuntimeLabels.ForSandbox(pod),
        };
        // The node's cluster DNS starts with its first pod, meanwhile the sandbox is made; it answers before any container runs.
        var dns = _options.EnsureClusterDns?.Invoke(cancellationToken) ?? Task.CompletedTask;
        PodSandbox sandbox;
        try
        {
            sandbox = await _runtime.RunPodSandboxAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            events.Warning(pod, "FailedCreatePodSandBox", $"Failed to create pod sandbox: {ex.Message}");
            return null;
        }
        finally
        {
            await dns.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (config.HostNetwork)
        {
            state.PodIps = [_node.NodeIp];
            return (sandbox, null);
        }
        var request = NetworkRequest(pod, sandbox);
        return (sandbox, new PendingNetwork(Task.Run(() => _network.SetUpAsync(request, cancellationToken), cancellationToken)));
    }

    // The sandbox made beside volumes that failed goes again, with its network, and none of its events is recorded.
    private async Task DiscardSandboxAsync(Task<(PodSandbox Sandbox, PendingNetwork? Network)?> creating, HeldPodEvents events, CancellationToken cancellationToken)
    {
        events.Discard();
        if (await creating.ConfigureAwait(false) is not { } created) return;
        if (created.Network is not null)
        {
            try
            {
                await created.Network.SetUp.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed ADD undid itself; the sandbox still goes below.
            }
        }
        await StopSandboxAsync(created.Sandbox, cancellationToken).ConfigureAwait(false);
        await _runtime.RemovePodSandboxAsync(created.Sandbox.Id, cancellationToken).ConfigureAwait(false);
    }

    // Waits for the new sandbox's CNI ADD (once, however often it is asked): the addresses go into the pod's state and
    // its /etc/hosts (rewritten in place: the containers bind-mount that file and none has started yet), and the held
    // events are recorded. A failed ADD fails the sandbox as before: FailedCreatePodSandBox, and the sandbox is removed
    // with any container already created in it.
    private Task<bool> JoinNetworkAsync(StartRequest start, CancellationToken cancellationToken) =>
        start.Network is null ? Task.FromResult(true) : start.Network.Joined ??= JoinAsync(start, start.Network.SetUp, cancellationToken);

    private async Task<bool> JoinAsync(StartRequest start, Task<PodNetworkStatus> setUp, CancellationToken cancellationToken)
    {
        try
        {
            var network = await setUp.ConfigureAwait(false);
            start.State.PodIps = network.Ips;
            if (start.HostsFile is not null) WriteHostsFile(start.Pod, start.State);
            start.Events.Release();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            start.Events.Discard();
            start.State.Waiting.Clear();
            _events.Warning(start.Pod, "FailedCreatePodSandBox", $"Failed to create pod sandbox: {ex.Message}");
            await _runtime.StopPodSandboxAsync(start.Sandbox.Id, cancellationToken).ConfigureAwait(false);
            await _runtime.RemovePodSandboxAsync(start.Sandbox.Id, cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    private static PodNetworkRequest NetworkRequest(V1Pod pod, PodSandbox sandbox) => new()
    {
        SandboxId = sandbox.Id,
        NetworkNamespacePath = sandbox.NetworkNamespacePath ?? "",
        PodNamespace = pod.Metadata.NamespaceProperty,
        PodName = pod.Metadata.Name,
        PodUid = pod.Metadata.Uid,
        PortMappings = [.. (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0)
            .Select(p => new PortMapping(p.HostPort!.Value, p.ContainerPort, p.Protocol ?? "TCP", p.HostIP ?? ""))],
    };

    private async Task KillPodAsync(V1Pod pod, PodRuntimeState runtime, TimeSpan grace, CancellationToken cancellationToken)
    {
        var initNames = (pod.Spec.InitContainers ?? []).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        // Regular containers first, then the init (sidecar) containers that serve them.
        await StopContainersAsync(pod, runtime.Containers.Where(c => !initNames.Contains(c.Name)), grace, "Stopping container {0}", cancellationToken).ConfigureAwait(false);
        await StopContainersAsync(pod, runtime.Containers.Where(c => initNames.Contains(c.Name)), grace, "Stopping container {0}", cancellationToken).ConfigureAwait(false);
        foreach (var sandbox in runtime.Sandboxes) await StopSandboxAsync(sandbox, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopSandboxAsync(PodSandbox sandbox, CancellationToken cancellationToken)
    {
        if (!sandbox.Ready) return;
        if (!sandbox.Config.HostNetwork && sandbox.NetworkNamespacePath is not null)
        {
            await _network.TearDownAsync(new PodNetworkRequest
            {
                SandboxId = sandbox.Id,
                NetworkNamespacePath = sandbox.NetworkNamespacePath,
                PodNamespace = sandbox.Config.PodNamespace,
                PodName = sandbox.Config.PodName,
                PodUid = sandbox.Config.PodUid,
            }, cancellationToken).ConfigureAwait(false);
        }
        await _runtime.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
    }

    // killContainer: preStop within the grace period, then the stop signal and SIGKILL once the rest of it ran out.
    private async Task StopContainersAsync(V1Pod? pod, IEnumerable<ContainerStatus> containers, TimeSpan grace, string message, CancellationToken cancellationToken,
        bool runPreStop = true)
    {
        var running = containers.Where(c => c.State != ContainerState.Exited).ToList();
        await Task.WhenAll(running.Select(async container =>
        {
            var spec = pod is null ? null : (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).FirstOrDefault(c => c.Name == container.Name);
            if (pod is not null) _events.Normal(pod, "Killing", string.Format(CultureInfo.InvariantCulture, message, container.Name));
            var left = grace;
            if (runPreStop && pod is not null && spec?.Lifecycle?.PreStop is { } preStop && container.State == ContainerState.Running)
            {
                var started = _time.GetUtcNow();
                var state = _states.GetValueOrDefault(pod.Metadata.Uid) ?? new PodState();
                var (ok, hookMessage) = await RunHookAsync(pod, spec, container.Id, state, preStop, grace, cancellationToken).ConfigureAwait(false);
                if (!ok) _events.Warning(pod, "FailedPreStopHook", hookMessage);
                left -= _time.GetUtcNow() - started;
            }
            if (left < MinimumGracePeriod) left = MinimumGracePeriod;
            await _runtime.StopContainerAsync(container.Id, left, cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    private async Task<(bool Ok, string Message)> RunHookAsync(V1Pod pod, V1Container container, string containerId, PodState state, V1LifecycleHandler hook,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (hook.Sleep is { } sleep)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(sleep.Seconds, timeout.TotalSeconds)), _time, cancellationToken).ConfigureAwait(false);
            return (true, "");
        }
        var who = $"for Container \"{container.Name}\" in Pod \"{PodNames.Format(pod)}\"";
        if (hook.Exec is { } exec)
        {
            // handlers.go: the message names the command, the container and the pod, then the error and the output.
            var command = exec.Command ?? [];
            try
            {
                var result = await _runtime.ExecSyncAsync(containerId, [.. command], timeout, cancellationToken).ConfigureAwait(false);
                if (result.ExitCode == 0 && !result.TimedOut) return (true, "");
                var output = result.Stdout + result.Stderr;
                var error = result.TimedOut ? $"command '{string.Join(' ', command)}' timed out" : $"command '{string.Join(' ', command)}' exited with {result.ExitCode}: {result.Stderr}";
                return (false, $"Exec lifecycle hook ([{string.Join(' ', command)}]) {who} failed - error: {error}, message: \"{output}\"");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (false, $"Exec lifecycle hook ([{string.Join(' ', command)}]) {who} failed - error: {ex.Message}, message: \"\"");
            }
        }
        var target = pod.Spec.HostNetwork == true ? _node.NodeIp : state.PodIps.FirstOrDefault() ?? _node.NodeIp;
        var (ok, message) = await _handlers.RunAsync(containerId, container, target, null, hook.HttpGet, hook.TcpSocket, null, timeout, cancellationToken)
            .ConfigureAwait(false);
        return ok || hook.HttpGet is null ? (ok, message) : (false, $"HTTP lifecycle hook ({hook.HttpGet.Path}) {who} failed - error: {message}");
    }

    // The kubelet-managed /etc/hosts of a pod with its own network: localhost entries and the pod's address and hostname.
    private string WriteHostsFile(V1Pod pod, PodState state)
    {
        var dir = Path.Combine(_paths.PodsDir, pod.Metadata.Uid);
        Directory.CreateDirectory(dir);
        var hostname = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        var text = new StringBuilder("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
        var fqdn = string.IsNullOrEmpty(pod.Spec.Subdomain) ? null : $"{hostname}.{pod.Spec.Subdomain}.{pod.Metadata.NamespaceProperty}.svc.cluster.local";
        foreach (var ip in state.PodIps) text.Append(ip).Append('\t').Append(fqdn is null ? hostname : $"{fqdn}\t{hostname}").Append('\n');
        foreach (var alias in pod.Spec.HostAliases ?? [])
        {
            text.Append("\n# Entries added by HostAliases.\n").Append(alias.Ip).Append('\t').AppendJoin('\t', alias.Hostnames ?? []).Append('\n');
        }
        var path = Path.Combine(dir, "etc-hosts");
        var content = text.ToString();
        if (!File.Exists(path) || File.ReadAllText(path) != content) File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A new sandbox's CNI ADD in flight; <see cref="Joined"/> once someone waits for it.</summary>
    private sealed class PendingNetwork(Task<PodNetworkStatus> setUp)
    {
        public Task<PodNetworkStatus> SetUp { get; } = setUp;

        public Task<bool>? Joined { get; set; }
    }
}
