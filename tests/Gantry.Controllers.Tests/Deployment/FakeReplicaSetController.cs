using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

/// <summary>
/// Stands in for the ReplicaSet controller (written elsewhere): a moment after a ReplicaSet's spec grows (at once when it
/// shrinks) it reports
/// replicas, readyReplicas and availableReplicas equal to spec.replicas through UpdateStatus. ReplicaSets whose pod
/// image contains "stuck" get their replicas but never become ready or available.
/// </summary>
internal sealed class FakeReplicaSetController : IController
{
    private readonly ControllerContext _context;
    private readonly Informer<V1ReplicaSet> _replicaSets;
    private readonly RateLimitingQueue<string> _queue = new();
    private readonly TimeSpan _delay;

    public FakeReplicaSetController(ControllerContext context, TimeSpan delay)
    {
        _context = context;
        _delay = delay;
        _replicaSets = context.Informers.For<V1ReplicaSet>();
        _replicaSets.AddEventHandler(rs => _queue.Add(ObjectKey.Of(rs)), (_, rs) => _queue.Add(ObjectKey.Of(rs)));
    }

    public string Name => "fake-replicaset-controller";

    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>("fake-replicaset", _queue, ReconcileAsync).RunAsync(2, cancellationToken);

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_replicaSets.Get(ns, name) is not { } cached || Matches(cached)) return;
        // Removed pods stop counting at once; new ones take a moment to start and become ready.
        if ((cached.Status?.Replicas ?? 0) < (cached.Spec.Replicas ?? 1)) await Task.Delay(_delay, cancellationToken);
        var fresh = await _context.Client.For<V1ReplicaSet>().GetAsync(ns, name, cancellationToken);
        if (fresh is null || Matches(fresh)) return;
        var replicas = fresh.Spec.Replicas ?? 1;
        var available = IsStuck(fresh) ? 0 : replicas;
        fresh.Status = new V1ReplicaSetStatus
        {
            Replicas = replicas, FullyLabeledReplicas = replicas, ReadyReplicas = available, AvailableReplicas = available,
            ObservedGeneration = fresh.Metadata.Generation,
        };
        await _context.Client.For<V1ReplicaSet>().UpdateStatusAsync(fresh, cancellationToken);
    }

    private static bool IsStuck(V1ReplicaSet rs) => rs.Spec.Template.Spec.Containers.Any(c => c.Image.Contains("stuck", StringComparison.Ordinal));

    private static bool Matches(V1ReplicaSet rs)
    {
        var replicas = rs.Spec.Replicas ?? 1;
        var available = IsStuck(rs) ? 0 : replicas;
        return (rs.Status?.Replicas ?? 0) == replicas && (rs.Status?.AvailableReplicas ?? 0) == available
            && (rs.Status?.ReadyReplicas ?? 0) == available && (rs.Status?.ObservedGeneration ?? 0) == (rs.Metadata.Generation ?? 0);
    }
}
