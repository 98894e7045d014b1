using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// PodTopologySpreadArgs: the constraints applied to pods that have none of their own. With
/// <see cref="DefaultingType"/> "System" (the default) they are kube-scheduler's system defaults (ScheduleAnyway,
/// hostname maxSkew 3 and zone maxSkew 5); with "List" they are <see cref="DefaultConstraints"/>. Either way they only
/// count pods selected like the pod's Services, ReplicationController, ReplicaSet or StatefulSet select it.
/// </summary>
public sealed record PodTopologySpreadArgs
{
    /// <summary>kube-scheduler's systemDefaultConstraints.</summary>
    public static IReadOnlyList<V1TopologySpreadConstraint> SystemDefaultConstraints { get; } =
    [
        new() { TopologyKey = "kubernetes.io/hostname", WhenUnsatisfiable = "ScheduleAnyway", MaxSkew = 3 },
        new() { TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "ScheduleAnyway", MaxSkew = 5 },
    ];

    /// <summary>"System" (the default) or "List".</summary>
    public string DefaultingType { get; init; } = "System";

    /// <summary>The default constraints with "List" defaulting; must be empty with "System" (as kube-scheduler validates).</summary>
    public IReadOnlyList<V1TopologySpreadConstraint> DefaultConstraints { get; init; } = [];

    /// <summary>The constraints in effect, after validating the combination.</summary>
    internal IReadOnlyList<V1TopologySpreadConstraint> EffectiveConstraints() => DefaultingType switch
    {
        "System" when DefaultConstraints.Count > 0 =>
            throw new ArgumentException("PodTopologySpreadArgs: defaultConstraints must be empty when defaultingType is System"),
        "System" => SystemDefaultConstraints,
        "List" => DefaultConstraints,
        _ => throw new ArgumentException($"PodTopologySpreadArgs: unsupported defaultingType \"{DefaultingType}\" (System or List)"),
    };
}
