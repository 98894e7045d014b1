using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// The core/v1 ReplicationController controller (kube-controller-manager's "replicationcontroller"): the same
/// replica management as <see cref="ReplicaSetController"/>, with a label-map selector.
/// </summary>
public sealed class ReplicationManager : IController
{
    private readonly ReplicaManager<V1ReplicationController> _manager;

    /// <summary>Registers its informers and handlers; <paramref name="options"/> defaults to Kubernetes' values.</summary>
    public ReplicationManager(ControllerContext context, ReplicaSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _manager = new ReplicaManager<V1ReplicationController>(context, new ReplicationControllerKind(), options ?? new ReplicaSetOptions());
    }

    /// <inheritdoc />
    public string Name => _manager.Name;

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) => _manager.RunAsync(cancellationToken);
}
