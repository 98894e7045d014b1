using k8s;
using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// What differs between ReplicaSets (apps/v1) and ReplicationControllers (core/v1) for the shared replica manager, as
/// Kubernetes serves both from replica_set.go through a conversion layer.
/// </summary>
internal abstract class ReplicaKind<TOwner> where TOwner : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The kind written into owner references and matched when resolving them.</summary>
    public abstract string Kind { get; }

    /// <summary>The apiVersion written into owner references.</summary>
    public abstract string ApiVersion { get; }

    /// <summary>The controller's name: logs and the events' source component.</summary>
    public abstract string Component { get; }

    /// <summary>The owner's pod selector (null when it cannot be evaluated).</summary>
    public abstract PodSelector? Selector(TOwner owner);

    /// <summary>The pod template, if any.</summary>
    public abstract V1PodTemplateSpec? Template(TOwner owner);

    /// <summary>spec.replicas (default 1).</summary>
    public abstract int Replicas(TOwner owner);

    /// <summary>spec.minReadySeconds (default 0).</summary>
    public abstract int MinReadySeconds(TOwner owner);

    /// <summary>The owner's current status.</summary>
    public abstract ReplicaStatus ReadStatus(TOwner owner);

    /// <summary>Writes <paramref name="status"/> into <paramref name="owner"/> (a private copy).</summary>
    public abstract void WriteStatus(TOwner owner, ReplicaStatus status);
}
