using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// The apps/v1 ReplicaSet controller (kube-controller-manager's "replicaset"): keeps spec.replicas pods from the
/// template running, adopting and releasing pods by selector, and reports replicas, ready/available counts and the
/// ReplicaFailure condition in status.
/// </summary>
public sealed class ReplicaSetController : IController
{
    private readonly ReplicaManager<V1ReplicaSet> _manager;

    /// <summary>Registers its informers and handlers; <paramref name="options"/> defaults to Kubernetes' values.</summary>
    public ReplicaSetController(ControllerContext context, ReplicaSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _manager = new ReplicaManager<V1ReplicaSet>(context, new ReplicaSetKind(), options ?? new ReplicaSetOptions());
    }

    /// <inheritdoc />
    public string Name => _manager.Name;

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) => _manager.RunAsync(cancellationToken);
}
