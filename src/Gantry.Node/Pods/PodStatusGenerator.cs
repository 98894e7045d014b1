using Gantry.Node.Images;
using Gantry.Node.Probes;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The pod status as the kubelet's generateAPIPodStatus computes it: container statuses from the runtime (with the
/// waiting reasons of the last sync), the phase by getPhase's rules, the kubelet-owned conditions with stable
/// transition times, addresses, start time and QoS class.
/// </summary>
internal sealed class PodStatusGenerator(ProbeManager probes, IImageService images, TerminationMessages messages, string idPrefix)
{
    private static readonly string[] OwnedConditions = ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"];

    /// <summary>The status to report; <paramref name="podIsTerminal"/> once the pod is being deleted or finished for good.</summary>
    public V1PodStatus Generate(V1Pod pod, PodRuntimeState runtime, PodState state, string nodeIp, DateTimeOffset now, bool podIsTerminal)
    {
        var old = pod.Status ?? new V1PodStatus();
        var sandbox = runtime.Sandboxes.FirstOrDefault();
        var initStatuses = (pod.Spec.InitContainers ?? []).Select(c => ContainerStatus(pod, c, runtime, state, isInit: true, sandbox)).ToList();
        var initialized = InitializationComplete(pod, initStatuses);
        var statuses = pod.Spec.Containers.Select(c => ContainerStatus(pod, c, runtime, state, isInit: false, sandbox, initialized)).ToList();

        var phase = old.Phase is "Succeeded" or "Failed" ? old.Phase
            : state.TerminalReason is not null ? "Failed"
            : Phase(pod, initStatuses, statuses, podIsTerminal);
        var status = new V1PodStatus
        {
            Phase = phase,
            Reason = state.TerminalReason ?? old.Reason,
            Message = state.TerminalMessage ?? old.Message,
            HostIP = nodeIp,
            HostIPs = [new V1HostIP { Ip = nodeIp }],
            PodIP = state.PodIps.FirstOrDefault(),
            PodIPs = state.PodIps.Count == 0 ? null : [.. state.PodIps.Select(ip => new V1PodIP { Ip = ip })],
            StartTime = old.StartTime ?? Seconds(now),
            QosClass = PodResources.QosClass(pod),
            InitContainerStatuses = initStatuses.Count == 0 ? null : initStatuses,
            ContainerStatuses = statuses,
            NominatedNodeName = old.NominatedNodeName,
        };
        var sandboxReady = sandbox is { Ready: true } && (pod.Spec.HostNetwork == true || state.PodIps.Count > 0);
        var conditions = new List<V1PodCondition>
        {
            Condition("PodReadyToStartContainers", sandboxReady),
            InitializedCondition(pod, initStatuses, initialized),
        };
        var containersReady = ContainersReadyCondition(statuses, phase);
        conditions.Add(containersReady);
        conditions.Add(ReadyCondition(pod, containersReady, old));
        conditions.Add(Condition("PodScheduled", true));
        // Conditions owned by others (DisruptionTarget, readiness gates) are kept as they are.
        conditions.AddRange((old.Conditions ?? []).Where(c => !OwnedConditions.Contains(c.Type)));
        foreach (var condition in conditions)
        {
            var previous = old.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            condition.LastTransitionTime ??= previous is not null && previous.Status == condition.Status && previous.LastTransitionTime is { } t ? t : Seconds(now);
            condition.LastProbeTime ??= previous?.LastProbeTime;
        }
        status.Conditions = conditions;
        return status;
    }

    private V1ContainerStatus ContainerStatus(V1Pod pod, V1Container spec, PodRuntimeState runtime, PodState state, bool isInit, PodSandbox? sandbox,
        bool initialized = true)
    {
        var instances = runtime.Instances(spec.Name).ToList();
        var latest = instances.FirstOrDefault();
        var status = new V1ContainerStatus { Name = spec.Name, Image = spec.Image, ImageID = "", RestartCount = 0, Ready = false };
        state.Waiting.TryGetValue(spec.Name, out var waiting);
        if (latest is null)
        {
            status.Started = false;
            status.State = Waiting(waiting.Reason ?? (isInit || initialized ? "ContainerCreating" : "PodInitializing"), waiting.Message);
            return status;
        }
        status.RestartCount = latest.Attempt;
        status.Image = latest.Image;
        status.ImageID = images.Find(latest.ImageId)?.RepoDigests.FirstOrDefault() ?? latest.ImageId;
        status.ContainerID = $"{idPrefix}://{latest.Id}";
        status.Started = false;
        var previousExited = instances.Skip(1).FirstOrDefault(c => c.State == ContainerState.Exited);
        if (previousExited is not null) status.LastState = new V1ContainerState { Terminated = Terminated(previousExited) };
        switch (latest.State)
        {
            case ContainerState.Running:
                status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Seconds(latest.StartedAt) } };
                status.Started = probes.IsStarted(spec, latest.Id);
                status.Ready = probes.IsReady(spec, latest.Id) && latest.SandboxId == sandbox?.Id;
                break;
            case ContainerState.Created:
                status.State = Waiting("ContainerCreating", null);
                break;
            default:
                var terminated = Terminated(latest);
                if (waiting.Reason is not null)
                {
                    // A container that will be restarted waits (e.g. CrashLoopBackOff) and reports its last exit.
                    status.State = Waiting(waiting.Reason, waiting.Message);
                    status.LastState = new V1ContainerState { Terminated = terminated };
                }
                else
                {
                    status.State = new V1ContainerState { Terminated = terminated };
                    if (isInit && spec.RestartPolicy != "Always") status.Ready = terminated.ExitCode == 0;
                }
                break;
        }
        return status;
    }

    private V1ContainerStateTerminated Terminated(Runtime.ContainerStatus container)
    {
        var exitCode = container.ExitCode ?? 0;
        return new V1ContainerStateTerminated
        {
            ExitCode = exitCode,
            Reason = container.Reason ?? (exitCode == 0 ? "Completed" : "Error"),
            Message = messages.Read(container) ?? container.Message,
            StartedAt = Seconds(container.StartedAt),
            FinishedAt = Seconds(container.FinishedAt),
            ContainerID = $"{idPrefix}://{container.Id}",
        };
    }

    private static V1ContainerState Waiting(string reason, string? message) =>
        new() { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = string.IsNullOrEmpty(message) ? null : message } };

    private static bool InitializationComplete(V1Pod pod, List<V1ContainerStatus> init)
    {
        var specs = pod.Spec.InitContainers ?? [];
        for (var i = 0; i < specs.Count; i++)
        {
            var status = init[i];
            var done = specs[i].RestartPolicy == "Always"
                ? status.Started == true
                : status.State?.Terminated?.ExitCode == 0;
            if (!done) return false;
        }
        return true;
    }

    // getPhase in kubelet_pods.go.
    private static string Phase(V1Pod pod, List<V1ContainerStatus> init, List<V1ContainerStatus> containers, bool podIsTerminal)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        int pendingInit = 0, failedInit = 0;
        var specs = pod.Spec.InitContainers ?? [];
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].RestartPolicy == "Always")
            {
                if (init[i].Started != true) pendingInit++;
                continue;
            }
            var s = init[i];
            if (s.State?.Terminated is { } t)
            {
                if (t.ExitCode != 0) failedInit++;
            }
            else if (s.State?.Waiting is not null && s.LastState?.Terminated is { ExitCode: not 0 })
            {
                failedInit++;
                pendingInit++;
            }
            else pendingInit++;
        }
        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var s in containers)
        {
            if (s.State?.Running is not null) running++;
            else if (s.State?.Terminated is { } t)
            {
                stopped++;
                if (t.ExitCode == 0) succeeded++;
            }
            else if (s.State?.Waiting is not null)
            {
                if (s.LastState?.Terminated is not null) stopped++;
                else waiting++;
            }
            else unknown++;
        }
        if (failedInit > 0 && policy == "Never") return "Failed";
        if (pendingInit > 0 || waiting > 0) return podIsTerminal ? TerminalPhase(stopped, succeeded, containers.Count) : "Pending";
        if (running > 0 && unknown == 0) return podIsTerminal ? "Failed" : "Running";
        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (podIsTerminal) return TerminalPhase(stopped, succeeded, containers.Count);
            if (policy == "Always") return "Running";
            if (stopped == succeeded) return "Succeeded";
            if (policy == "Never") return "Failed";
            return "Running";
        }
        return "Pending";
    }

    private static string TerminalPhase(int stopped, int succeeded, int total) => stopped == total && succeeded == total ? "Succeeded" : "Failed";

    private static V1PodCondition Condition(string type, bool value) => new() { Type = type, Status = value ? "True" : "False" };

    private static V1PodCondition InitializedCondition(V1Pod pod, List<V1ContainerStatus> init, bool initialized)
    {
        if (initialized) return Condition("Initialized", true);
        var incomplete = (pod.Spec.InitContainers ?? []).Select((c, i) => (c, init[i]))
            .Where(x => x.c.RestartPolicy == "Always" ? x.Item2.Started != true : x.Item2.State?.Terminated?.ExitCode != 0).Select(x => x.c.Name);
        return new V1PodCondition
        {
            Type = "Initialized", Status = "False", Reason = "ContainersNotInitialized",
            Message = $"containers with incomplete status: [{string.Join(' ', incomplete)}]",
        };
    }

    private static V1PodCondition ContainersReadyCondition(List<V1ContainerStatus> statuses, string phase)
    {
        var unready = statuses.Where(s => !s.Ready).Select(s => s.Name).ToList();
        if (unready.Count == 0) return Condition("ContainersReady", true);
        if (phase == "Succeeded") return new V1PodCondition { Type = "ContainersReady", Status = "False", Reason = "PodCompleted" };
        return new V1PodCondition
        {
            Type = "ContainersReady", Status = "False", Reason = "ContainersNotReady",
            Message = $"containers with unready status: [{string.Join(' ', unready)}]",
        };
    }

    private static V1PodCondition ReadyCondition(V1Pod pod, V1PodCondition containersReady, V1PodStatus old)
    {
        if (containersReady.Status != "True") return new V1PodCondition { Type = "Ready", Status = "False", Reason = containersReady.Reason, Message = containersReady.Message };
        var unmet = new List<string>();
        foreach (var gate in pod.Spec.ReadinessGates ?? [])
        {
            var condition = old.Conditions?.FirstOrDefault(c => c.Type == gate.ConditionType);
            if (condition is null) unmet.Add($"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.");
            else if (condition.Status != "True") unmet.Add($"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but {condition.Status}");
        }
        if (unmet.Count == 0) return Condition("Ready", true);
        return new V1PodCondition { Type = "Ready", Status = "False", Reason = "ReadinessGatesNotReady", Message = string.Join(", ", unmet) };
    }

    private static DateTime? Seconds(DateTimeOffset? time) =>
        time is { } t ? new DateTime(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc) : null;
}
