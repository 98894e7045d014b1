using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>
/// The pod table of kubectl: READY, the aggregate STATUS (init progress, container waiting/terminated reasons,
/// Terminating, ...) and RESTARTS with the time since the last restart, computed as printers.go printPod does.
/// </summary>
internal static class PodPrinter
{
    public static IResourcePrinter Create() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        Col.Text("Status", "The aggregate status of the containers in this pod."),
        Col.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        Col.Age,
        Col.Wide("IP", ColumnDescriptions.PodIP),
        Col.Wide("Node", ColumnDescriptions.PodNodeName),
        Col.Wide("Nominated Node", ColumnDescriptions.PodNominatedNodeName),
        Col.Wide("Readiness Gates", ColumnDescriptions.PodReadinessGates),
    ], Cells);

    private static JsonNode?[] Cells(JsonObject pod, DateTimeOffset now)
    {
        var spec = JsonRead.Obj(pod, "spec");
        var status = JsonRead.Obj(pod, "status");
        var initContainers = JsonRead.Array(spec, "initContainers");
        // Init containers with restartPolicy Always are sidecars: they count as containers of the pod.
        var sidecars = initContainers.Where(c => JsonRead.Str(c, "restartPolicy") == "Always")
            .Select(c => JsonRead.Text(c, "name")).ToHashSet(StringComparer.Ordinal);
        var total = JsonRead.Count(spec, "containers") + sidecars.Count;
        var ready = 0;
        var restarts = 0L;
        var sidecarRestarts = 0L;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastSidecarRestart = null;

        var phase = JsonRead.Text(status, "phase");
        var statusReason = JsonRead.Text(status, "reason");
        var reason = statusReason.Length > 0 ? statusReason : phase;
        foreach (var condition in JsonRead.Array(status, "conditions"))
            if (JsonRead.Str(condition, "type") == "PodScheduled" && JsonRead.Str(condition, "reason") == "SchedulingGated")
                reason = "SchedulingGated";

        var initializing = false;
        var initStatuses = JsonRead.Array(status, "initContainerStatuses");
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var isSidecar = sidecars.Contains(JsonRead.Text(container, "name"));
            restarts += JsonRead.Int(container, "restartCount");
            lastRestart = Later(lastRestart, JsonRead.Time(container, "lastState.terminated.finishedAt"));
            if (isSidecar)
            {
                sidecarRestarts += JsonRead.Int(container, "restartCount");
                lastSidecarRestart = Later(lastSidecarRestart, JsonRead.Time(container, "lastState.terminated.finishedAt"));
            }
            var terminated = JsonRead.Obj(container, "state.terminated");
            var waiting = JsonRead.Obj(container, "state.waiting");
            if (terminated is not null && JsonRead.Int(terminated, "exitCode") == 0) continue;
            if (isSidecar && JsonRead.Bool(container, "started") == true)
            {
                if (JsonRead.Bool(container, "ready") == true) ready++;
                continue;
            }
            if (terminated is not null)
                reason = "Init:" + TerminationReason(terminated);
            else if (waiting is not null && JsonRead.Text(waiting, "reason") is { Length: > 0 } waitingReason && waitingReason != "PodInitializing")
                reason = "Init:" + waitingReason;
            else
                reason = $"Init:{i}/{initContainers.Count}";
            initializing = true;
            break;
        }

        if (!initializing || HasCondition(status, "Initialized"))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = JsonRead.Array(status, "containerStatuses");
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += JsonRead.Int(container, "restartCount");
                lastRestart = Later(lastRestart, JsonRead.Time(container, "lastState.terminated.finishedAt"));
                var terminated = JsonRead.Obj(container, "state.terminated");
                if (JsonRead.Text(container, "state.waiting.reason") is { Length: > 0 } waitingReason)
                    reason = waitingReason;
                else if (terminated is not null)
                    reason = TerminationReason(terminated);
                else if (JsonRead.Bool(container, "ready") == true && JsonRead.Obj(container, "state.running") is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }
            // A pod whose last-listed container completed still runs while another container does.
            if (reason == "Completed" && hasRunning)
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
        }

        var deleting = JsonRead.Str(pod, "metadata.deletionTimestamp") is { Length: > 0 };
        if (deleting && statusReason == "NodeLost")
            reason = "Unknown";
        else if (deleting && phase is not ("Failed" or "Succeeded"))
            reason = "Terminating";

        var restartText = restarts != 0 && lastRestart is { } last ? $"{restarts} ({Age.Since(last, now)} ago)" : restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Kubernetes reads podIPs[0]; its v1 conversion fills podIPs from podIP, which Gantry does not rewrite.
        var podIP = JsonRead.Str(JsonRead.Array(status, "podIPs").FirstOrDefault(), "ip") ?? JsonRead.Str(status, "podIP");
        return
        [
            Col.NameOf(pod), $"{ready}/{total}", reason, restartText, Age.Since(pod, now),
            string.IsNullOrEmpty(podIP) ? "<none>" : podIP,
            NoneIfEmpty(JsonRead.Text(spec, "nodeName")),
            NoneIfEmpty(JsonRead.Text(status, "nominatedNodeName")),
            ReadinessGates(spec, status),
        ];
    }

    // The reason of a terminated container, or its signal or exit code when it gave none.
    private static string TerminationReason(JsonObject terminated)
    {
        if (JsonRead.Text(terminated, "reason") is { Length: > 0 } reason) return reason;
        var signal = JsonRead.Int(terminated, "signal");
        return signal != 0 ? $"Signal:{signal}" : $"ExitCode:{JsonRead.Int(terminated, "exitCode")}";
    }

    private static string ReadinessGates(JsonObject? spec, JsonObject? status)
    {
        var gates = JsonRead.Array(spec, "readinessGates");
        if (gates.Count == 0) return "<none>";
        var conditions = JsonRead.Array(status, "conditions");
        var passed = gates.Count(gate =>
            conditions.FirstOrDefault(c => JsonRead.Str(c, "type") == JsonRead.Str(gate, "conditionType")) is { } condition &&
            JsonRead.Str(condition, "status") == "True");
        return $"{passed}/{gates.Count}";
    }

    private static bool HasCondition(JsonObject? status, string type) =>
        JsonRead.Array(status, "conditions").Any(c => JsonRead.Str(c, "type") == type && JsonRead.Str(c, "status") == "True");

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null || b > a ? b ?? a : a;

    private static string NoneIfEmpty(string s) => s.Length == 0 ? "<none>" : s;
}
