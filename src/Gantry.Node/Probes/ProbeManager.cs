using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Probes;

/// <summary>
/// The kubelet's prober manager: one worker per (pod, container, probe kind) probing the current container instance,
/// results kept per container id (so a restarted container starts from the initial results), and a callback when a
/// result changes so the pod is synced again.
/// </summary>
internal sealed partial class ProbeManager(HandlerRunner runner, TimeProvider time, Action<V1Pod, string, string> recordWarning,
    Action<string> onResultChanged, ILogger logger) : IAsyncDisposable
{
    private readonly HandlerRunner _runner = runner;
    private readonly TimeProvider _time = time;
    private readonly Action<V1Pod, string, string> _recordWarning = recordWarning;
    private readonly ILogger _logger = logger;
    private readonly Action<string> _onResultChanged = onResultChanged;
    private readonly ConcurrentDictionary<(string PodUid, string Container, ProbeKind Kind), ProbeWorker> _workers = new();
    private readonly ConcurrentDictionary<(string ContainerId, ProbeKind Kind), bool> _results = new();

    /// <summary>Whether the container instance has passed its startup probe (true without one).</summary>
    public bool IsStarted(V1Container container, string containerId) =>
        container.StartupProbe is null || _results.TryGetValue((containerId, ProbeKind.Startup), out var ok) && ok;

    /// <summary>Whether the instance is ready: started and (without a readiness probe, or with a passing one).</summary>
    public bool IsReady(V1Container container, string containerId) =>
        IsStarted(container, containerId)
        && (container.ReadinessProbe is null || _results.TryGetValue((containerId, ProbeKind.Readiness), out var ok) && ok);

    /// <summary>The probe (liveness or startup) whose failure means the instance must be restarted, or null.</summary>
    public ProbeKind? FailedRestartProbe(string containerId)
    {
        if (_results.TryGetValue((containerId, ProbeKind.Startup), out var started) && !started) return ProbeKind.Startup;
        if (_results.TryGetValue((containerId, ProbeKind.Liveness), out var alive) && !alive) return ProbeKind.Liveness;
        return null;
    }

    /// <summary>
    /// Brings the workers of <paramref name="pod"/> in line with its running containers (name -> instance id and start
    /// time): new workers for new instances, none for containers not running.
    /// </summary>
    public void Sync(V1Pod pod, IReadOnlyDictionary<string, (string Id, DateTimeOffset StartedAt)> running, string target)
    {
        var uid = pod.Metadata.Uid;
        var wanted = new HashSet<(string, string, ProbeKind)>();
        foreach (var container in (pod.Spec.InitContainers ?? []).Where(c => c.RestartPolicy == "Always").Concat(pod.Spec.Containers))
        {
            if (!running.TryGetValue(container.Name, out var instance)) continue;
            foreach (var (kind, probe) in Probes(container))
            {
                var key = (uid, container.Name, kind);
                wanted.Add(key);
                if (_workers.TryGetValue(key, out var existing) && existing.ContainerId == instance.Id) continue;
                // A restarted instance is first probed one period later, keeping the previous worker's cadence (prober/worker.go).
                var restarted = _workers.TryGetValue(key, out var old);
                var worker = new ProbeWorker(this, pod, container, kind, probe, instance.Id, instance.StartedAt, target, restarted);
                if (old is not null) Retire(old);
                _workers[key] = worker;
                SetInitial(worker);
                worker.Start();
            }
        }
        foreach (var key in _workers.Keys.Where(k => k.PodUid == uid && !wanted.Contains(k)).ToList())
        {
            if (_workers.TryRemove(key, out var worker)) Retire(worker);
        }
    }

    /// <summary>Stops every worker of a pod that is gone or terminating.</summary>
    public void RemovePod(string podUid)
    {
        foreach (var key in _workers.Keys.Where(k => k.PodUid == podUid).ToList())
        {
            if (_workers.TryRemove(key, out var worker)) Retire(worker);
        }
    }

    // A worker of an instance that is gone: stopped, and its result forgotten (a new instance starts from the initial one).
    private void Retire(ProbeWorker worker)
    {
        worker.Stop();
        _results.TryRemove((worker.ContainerId, worker.Kind), out _);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        var workers = _workers.Values.ToList();
        _workers.Clear();
        foreach (var worker in workers) worker.Stop();
        await Task.WhenAll(workers.Select(w => w.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static IEnumerable<(ProbeKind, V1Probe)> Probes(V1Container container)
    {
        if (container.StartupProbe is { } startup) yield return (ProbeKind.Startup, startup);
        if (container.LivenessProbe is { } liveness) yield return (ProbeKind.Liveness, liveness);
        if (container.ReadinessProbe is { } readiness) yield return (ProbeKind.Readiness, readiness);
    }

    // Readiness starts failed, liveness passed, startup unknown (absent), as the prober's initial values.
    private void SetInitial(ProbeWorker worker)
    {
        if (worker.Kind == ProbeKind.Readiness) _results.TryAdd((worker.ContainerId, ProbeKind.Readiness), false);
        if (worker.Kind == ProbeKind.Liveness) _results.TryAdd((worker.ContainerId, ProbeKind.Liveness), true);
    }

    private void SetResult(ProbeWorker worker, bool success)
    {
        var key = (worker.ContainerId, worker.Kind);
        var changed = !_results.TryGetValue(key, out var previous) || previous != success;
        _results[key] = success;
        if (changed) _onResultChanged(worker.Pod.Metadata.Uid);
    }

    private bool WaitsForStartup(ProbeWorker worker) =>
        worker.Kind != ProbeKind.Startup && worker.Container.StartupProbe is not null
        && !(_results.TryGetValue((worker.ContainerId, ProbeKind.Startup), out var started) && started);

    /// <summary>Probes one container instance every periodSeconds until stopped (prober/worker.go).</summary>
    private sealed class ProbeWorker(ProbeManager manager, V1Pod pod, V1Container container, ProbeKind kind, V1Probe probe,
        string containerId, DateTimeOffset startedAt, string target, bool waitOnePeriod)
    {
        // Never disposed: Stop may come after the loop ended, and a source without timers holds nothing to release.
        private readonly CancellationTokenSource _stop = new();
        private bool? _lastResult;
        private int _resultRun;
        private bool _onHold;

        public V1Pod Pod => pod;
        public V1Container Container => container;
        public ProbeKind Kind => kind;
        public string ContainerId => containerId;
        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start() => Completion = Task.Run(() => RunAsync(_stop.Token));

        public void Stop() => _stop.Cancel();

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
            try
            {
                if (waitOnePeriod) await Task.Delay(period, manager._time, cancellationToken).ConfigureAwait(false);
                while (!cancellationToken.IsCancellationRequested)
                {
                    await ProbeOnceAsync(cancellationToken).ConfigureAwait(false);
                    await Task.Delay(period, manager._time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogProbeWorkerFailed(manager._logger, kind, container.Name, ex);
            }
        }

        private async Task ProbeOnceAsync(CancellationToken cancellationToken)
        {
            // A failed liveness or startup probe waits for the restart (a new instance gets a new worker).
            if (_onHold || manager.WaitsForStartup(this)) return;
            if (manager._time.GetUtcNow() - startedAt < TimeSpan.FromSeconds(probe.InitialDelaySeconds ?? 0)) return;
            var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
            var (success, message) = await manager._runner.RunAsync(containerId, container, target, probe.Exec, probe.HttpGet, probe.TcpSocket,
                probe.Grpc, timeout, cancellationToken).ConfigureAwait(false);
            if (!success) manager._recordWarning(pod, "Unhealthy", $"{kind} probe failed: {message}");
            _resultRun = _lastResult == success ? _resultRun + 1 : 1;
            _lastResult = success;
            var threshold = success ? Math.Max(1, probe.SuccessThreshold ?? 1) : Math.Max(1, probe.FailureThreshold ?? 3);
            if (_resultRun < threshold) return;
            manager.SetResult(this, success);
            if (!success && kind != ProbeKind.Readiness)
            {
                _onHold = true;
                _resultRun = 0;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Kind} probe worker of container {Container} failed")]
    private static partial void LogProbeWorkerFailed(ILogger logger, ProbeKind kind, string container, Exception exception);
}
