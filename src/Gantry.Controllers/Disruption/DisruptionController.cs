using Gantry.Client.Selectors;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.Disruption;

/// <summary>
/// Kubernetes' disruption controller: keeps each PodDisruptionBudget's status (expectedPods, currentHealthy,
/// desiredHealthy, disruptionsAllowed, disruptedPods, observedGeneration and the DisruptionAllowed condition) in step
/// with its pods, so the eviction subresource can tell whether one more pod may go. Integer minAvailable counts the
/// matching pods; a percentage, or maxUnavailable, counts the replicas of the pods' controllers.
/// </summary>
public sealed partial class DisruptionController : IController
{
    private readonly ControllerContext _context;
    private readonly DisruptionOptions _options;
    private readonly Informer<V1PodDisruptionBudget> _budgets;
    private readonly Informer<V1Pod> _pods;
    private readonly ControllerScales _scales;
    private readonly RateLimitingQueue<string> _queue;
    private readonly RateLimitingQueue<string> _staleQueue;
    private readonly EventRecorder _recorder;
    private readonly ILogger _logger;

    /// <summary>Registers the budget, pod and workload informers and their handlers.</summary>
    public DisruptionController(ControllerContext context, DisruptionOptions? options = null)
    {
        _context = context;
        _options = options ?? new DisruptionOptions();
        _logger = context.Loggers.CreateLogger<DisruptionController>();
        _recorder = context.Recorder("controllermanager");
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _staleQueue = new RateLimitingQueue<string>(time: context.Time);
        _budgets = context.Informers.For<V1PodDisruptionBudget>();
        _pods = context.Informers.For<V1Pod>();
        _scales = new ControllerScales(context);
        _budgets.AddEventHandler(onAdd: Enqueue, onUpdate: (_, b) => Enqueue(b), onDelete: Enqueue);
        _pods.AddEventHandler(
            onAdd: p =>
            {
                EnqueueBudgetsOf(p);
                EnqueueStaleDisruptionCleanup(p);
            },
            onUpdate: (old, p) =>
            {
                EnqueueBudgetsOf(p);
                EnqueueStaleDisruptionCleanup(p);
                // A pod relabelled out of a budget must leave that budget's counts too.
                if (!SameLabels(old, p)) EnqueueBudgetsOf(old, warn: false);
            },
            onDelete: p => EnqueueBudgetsOf(p, warn: false));
    }

    /// <inheritdoc />
    public string Name => "disruption-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(
            new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken),
            new ControllerRunner<string>(Name + "-stale-pod-disruption", _staleQueue, ClearStaleDisruptionAsync, _context.Loggers)
                .RunAsync(_context.Options.Workers, cancellationToken));

    private void Enqueue(V1PodDisruptionBudget budget) => _queue.Add(ObjectKey.Of(budget));

    private void EnqueueBudgetsOf(V1Pod pod, bool warn = true)
    {
        var budgets = _budgets.List(pod.Namespace()).Where(b => LabelSelectors.Matches(b.Spec?.Selector, pod.Metadata.Labels)).ToList();
        if (warn && budgets.Count > 1)
            _recorder.Warning(pod, "MultiplePodDisruptionBudgets",
                $"Pod \"{pod.Namespace()}\"/\"{pod.Name()}\" matches multiple PodDisruptionBudgets.  Chose \"{budgets[0].Name()}\" arbitrarily.");
        foreach (var budget in budgets) Enqueue(budget);
    }

    private static bool SameLabels(V1Pod a, V1Pod b)
    {
        var x = a.Metadata.Labels ?? new Dictionary<string, string>();
        var y = b.Metadata.Labels ?? new Dictionary<string, string>();
        return x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && v == p.Value);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var budget = _budgets.Get(ns, name);
        if (budget is null) return;
        try
        {
            await TrySyncAsync(budget, cancellationToken);
        }
        catch (ConflictException)
        {
            // A newer budget is on its way through the informer: retry without giving up on it.
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSyncFailed(_logger, key, ex);
            await FailSafeAsync(budget, ex.Message, cancellationToken);
        }
    }

    private async Task TrySyncAsync(V1PodDisruptionBudget budget, CancellationToken cancellationToken)
    {
        var pods = _pods.List(budget.Namespace()).Where(p => LabelSelectors.Matches(budget.Spec?.Selector, p.Metadata.Labels)).ToList();
        if (pods.Count == 0) _recorder.Normal(budget, "NoPods", "No matching pods found");
        int expected, desired;
        List<string> unmanaged;
        try
        {
            (expected, desired, unmanaged) = ExpectedPodCount(budget, pods);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            _recorder.Warning(budget, "CalculateExpectedPodCountFailed", $"Failed to calculate the number of expected pods: {ex.Message}");
            throw;
        }
        if (unmanaged.Count > 0)
            _recorder.Warning(budget, "UnmanagedPods", $"Pods selected by this PodDisruptionBudget (selector: {LabelSelectors.Format(budget.Spec?.Selector)}) were found "
                + "to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        var now = _context.Time.GetUtcNow();
        var (disrupted, recheck) = BuildDisruptedPods(pods, budget, now);
        var healthy = CountHealthy(pods, disrupted, now);
        await UpdateStatusAsync(budget, healthy, desired, expected, disrupted, cancellationToken);
        if (recheck is { } at) _queue.AddAfter(ObjectKey.Of(budget), at - now);
    }

    /// <summary>How many pods there should be and how many must stay healthy (upstream's getExpectedPodCount).</summary>
    private (int Expected, int Desired, List<string> Unmanaged) ExpectedPodCount(V1PodDisruptionBudget budget, List<V1Pod> pods)
    {
        var spec = budget.Spec;
        if (spec?.MaxUnavailable is { } maxUnavailable)
        {
            var (expected, unmanaged) = ExpectedScale(pods);
            return (expected, Math.Max(expected - ScaledValue.Of(maxUnavailable, expected, roundUp: true), 0), unmanaged);
        }
        if (spec?.MinAvailable is { } minAvailable)
        {
            if (!ScaledValue.IsPercent(minAvailable)) return (pods.Count, ScaledValue.Of(minAvailable, pods.Count, roundUp: true), []);
            var (expected, unmanaged) = ExpectedScale(pods);
            return (expected, ScaledValue.Of(minAvailable, expected, roundUp: true), unmanaged);
        }
        return (0, 0, []);
    }

    /// <summary>The sum of the replicas of the pods' controllers, each counted once; pods without one are listed apart.</summary>
    private (int Expected, List<string> Unmanaged) ExpectedScale(List<V1Pod> pods)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenOwners = new HashSet<string>(StringComparer.Ordinal);
        var unmanaged = new List<string>();
        foreach (var pod in pods)
        {
            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
            if (owner is null)
            {
                unmanaged.Add(pod.Name());
                continue;
            }
            if (!seenOwners.Add(owner.Uid)) continue;
            // Keyed by the scaled object: the pods of a Deployment's several ReplicaSets count its replicas once.
            var (uid, replicas) = _scales.Find(owner, pod.Namespace()) ?? throw new InvalidOperationException($"found no controllers for pod \"{pod.Name()}\"");
            scales[uid] = replicas;
        }
        return (scales.Values.Sum(), unmanaged);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "syncing PodDisruptionBudget {Key} failed; setting disruptionsAllowed to 0")]
    private static partial void LogSyncFailed(ILogger logger, string key, Exception exception);
}
