using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Preemption;
using k8s.Models;

namespace Gantry.Scheduler.Tests.Preemption;

/// <summary>Nodes, pods and budgets for the preemption unit tests.</summary>
internal static class PreemptionFixtures
{
    public static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static V1Node Node(string name, string cpu = "4", int pods = 110, IList<V1Taint>? taints = null)
    {
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu), ["memory"] = new("8Gi"), ["pods"] = new(pods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus { Allocatable = resources, Capacity = resources },
        };
    }

    public static V1Pod Pod(string name, int priority, string cpu = "1", string? node = null, DateTime? started = null,
        IDictionary<string, string>? labels = null, string? preemptionPolicy = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Priority = priority,
            PreemptionPolicy = preemptionPolicy,
            Containers =
            [
                new V1Container
                {
                    Name = "app", Image = "busybox",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
                },
            ],
        },
        Status = new V1PodStatus { StartTime = started },
    };

    public static NodeInfo Info(V1Node node, params V1Pod[] pods) =>
        new(node, pods.Select(p => PodEntry.Of(WithNode(p, node.Metadata.Name))).ToList());

    public static V1PodDisruptionBudget Budget(string name, int allowed, IDictionary<string, string> selector, params string[] disrupted) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec { Selector = new V1LabelSelector { MatchLabels = selector } },
        Status = new V1PodDisruptionBudgetStatus
        {
            DisruptionsAllowed = allowed,
            DisruptedPods = disrupted.Length == 0 ? null : disrupted.ToDictionary(d => d, _ => (DateTime?)Now),
        },
    };

    /// <summary>Victim selection on <paramref name="node"/> with the framework's filters (no nominated pods).</summary>
    public static (List<V1Pod> Victims, int PdbViolations, Status Status) SelectVictims(V1Pod preemptor, NodeInfo node,
        IReadOnlyList<V1PodDisruptionBudget> pdbs)
    {
        var framework = new SchedulingFramework(1);
        var state = new CycleState(preemptor, PodRequests.Of(preemptor), [node]);
        framework.RunPreFilters(state);
        return VictimSelection.Select(new DryRunNode(framework, state, node), pdbs, framework.RunFilters, Now);
    }

    private static V1Pod WithNode(V1Pod pod, string node)
    {
        pod.Spec.NodeName = node;
        return pod;
    }
}
