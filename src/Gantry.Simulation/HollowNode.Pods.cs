using Gantry.Client;
using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Simulation;

/// <summary>The pod half of a hollow node: "starting" bound pods and finishing the deletion of terminating ones.</summary>
public sealed partial class HollowNode
{
    private readonly Lock _ipLock = new();
    private readonly Dictionary<string, int> _podHosts = new(StringComparer.Ordinal);
    private int _nextHost = 1;

    private async Task SyncPodAsync(Informer<V1Pod> informer, string key, CancellationToken cancellationToken)
    {
        if (_silent) return;
        var (ns, name) = ObjectKey.Split(key);
        var pod = informer.Get(ns, name);
        if (pod is null) return;
        var pods = _client.For<V1Pod>();
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Containers "stopped" at once; the kubelet then removes the pod for good with a zero grace period.
            try
            {
                await pods.DeleteAsync(ns, name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Uid() }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (ConflictException)
            {
                // The uid precondition failed: a new pod took the name; its own events bring it here.
            }
            return;
        }
        if (pod.Status?.Phase is "Succeeded" or "Failed" || IsRunningAndReady(pod)) return;
        await pods.UpdateStatusAsync(Started(pod, key), cancellationToken).ConfigureAwait(false);
    }

    private static bool IsRunningAndReady(V1Pod pod) =>
        pod.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Status.PodIP)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private V1Pod Started(V1Pod cached, string key)
    {
        var pod = ObjectCopy.DeepCopy(cached);
        var now = Now;
        var status = pod.Status ??= new V1PodStatus();
        var podIp = string.IsNullOrEmpty(status.PodIP) ? HollowNodeStatus.PodIp(Options.Index, AllocatePodHost(key)) : status.PodIP;
        var nodeIp = HollowNodeStatus.NodeIp(Options.Index);
        status.Phase = "Running";
        status.HostIP = nodeIp;
        status.HostIPs = [new V1HostIP { Ip = nodeIp }];
        status.PodIP = podIp;
        status.PodIPs = [new V1PodIP { Ip = podIp }];
        status.StartTime ??= now;
        status.Conditions =
        [
            Condition(status.Conditions, "PodReadyToStartContainers", now),
            Condition(status.Conditions, "Initialized", now),
            Condition(status.Conditions, "Ready", now),
            Condition(status.Conditions, "ContainersReady", now),
            Condition(status.Conditions, "PodScheduled", now),
        ];
        status.InitContainerStatuses = pod.Spec.InitContainers?.Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, ContainerID = ContainerId(pod, c.Name), Ready = true, RestartCount = 0,
            State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed", StartedAt = now, FinishedAt = now } },
        }).ToList();
        status.ContainerStatuses = pod.Spec.Containers.Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, ContainerID = ContainerId(pod, c.Name), Ready = true, Started = true, RestartCount = 0,
            State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
        }).ToList();
        return pod;
    }

    private static string ContainerId(V1Pod pod, string container) => $"hollow://{pod.Uid()}/{container}";

    private static V1PodCondition Condition(IList<V1PodCondition>? previous, string type, DateTime now)
    {
        var old = previous?.FirstOrDefault(c => c.Type == type);
        var transition = old is { Status: "True", LastTransitionTime: { } t } ? t : now;
        return new V1PodCondition { Type = type, Status = "True", LastTransitionTime = transition };
    }

    // Host addresses 1..254 of the node's /24, handed out round-robin and returned when the pod is gone.
    private int AllocatePodHost(string key)
    {
        lock (_ipLock)
        {
            if (_podHosts.TryGetValue(key, out var existing)) return existing;
            var used = _podHosts.Values.ToHashSet();
            if (used.Count >= 254) throw new InvalidOperationException($"hollow node {Name} ran out of pod IPs");
            while (used.Contains(_nextHost)) _nextHost = _nextHost % 254 + 1;
            var host = _nextHost;
            _nextHost = _nextHost % 254 + 1;
            _podHosts[key] = host;
            return host;
        }
    }

    private void ReleasePodIp(string key)
    {
        lock (_ipLock) _podHosts.Remove(key);
    }
}
