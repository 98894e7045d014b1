using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.Disruption;

/// <summary>
/// The scale (spec.replicas) of a pod's controller, as upstream's finders read it: a ReplicationController, a
/// Deployment (through its ReplicaSet), a ReplicaSet of its own, or a StatefulSet — each checked by uid.
/// </summary>
internal sealed class ControllerScales(ControllerContext context)
{
    private readonly Informer<V1ReplicaSet> _replicaSets = context.Informers.For<V1ReplicaSet>();
    private readonly Informer<V1Deployment> _deployments = context.Informers.For<V1Deployment>();
    private readonly Informer<V1StatefulSet> _statefulSets = context.Informers.For<V1StatefulSet>();
    private readonly Informer<V1ReplicationController> _replicationControllers = context.Informers.For<V1ReplicationController>();

    /// <summary>The controlling object's uid and replicas, or null when none of the known kinds matches.</summary>
    public (string Uid, int Replicas)? Find(V1OwnerReference owner, string ns)
    {
        switch (owner.Kind)
        {
            case "ReplicationController" when Group(owner) == "":
                return Checked(_replicationControllers.Get(ns, owner.Name), owner.Uid, rc => rc.Spec?.Replicas);
            case "StatefulSet" when Group(owner) is "apps":
                return Checked(_statefulSets.Get(ns, owner.Name), owner.Uid, s => s.Spec?.Replicas);
            case "ReplicaSet" when Group(owner) is "apps" or "extensions":
                var rs = _replicaSets.Get(ns, owner.Name);
                if (rs is null || rs.Metadata.Uid != owner.Uid) return null;
                // A Deployment's ReplicaSet counts as the Deployment (whose replicas hold across a rollout).
                if (rs.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { Kind: "Deployment" } deploymentRef
                    && Group(deploymentRef) is "apps" or "extensions")
                    return Checked(_deployments.Get(ns, deploymentRef.Name), deploymentRef.Uid, d => d.Spec?.Replicas);
                return (rs.Metadata.Uid, rs.Spec?.Replicas ?? 1);
            default:
                return null;
        }
    }

    private static (string, int)? Checked<T>(T? obj, string uid, Func<T, int?> replicas) where T : class, IKubernetesObject<V1ObjectMeta> =>
        obj is not null && obj.Metadata.Uid == uid ? (uid, replicas(obj) ?? 1) : null;

    private static string Group(V1OwnerReference owner)
    {
        var slash = owner.ApiVersion?.IndexOf('/') ?? -1;
        return slash < 0 ? "" : owner.ApiVersion![..slash];
    }
}
