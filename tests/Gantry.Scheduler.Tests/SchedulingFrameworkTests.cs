using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;
using static Gantry.Scheduler.Tests.Plugins.Snapshot;

namespace Gantry.Scheduler.Tests;

public sealed class SchedulingFrameworkTests
{
    private static NodeInfo Sized(V1Node node, params V1Pod[] pods)
    {
        node.Status = new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") } };
        return Info(node, pods);
    }

    [Fact]
    public void DefaultProfile_RunsKubeSchedulersPluginsInItsOrder()
    {
        Assert.Equal(
            ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread",
             "InterPodAffinity", "NodeResourcesBalancedAllocation"],
            SchedulingFramework.DefaultPlugins(new NamespaceIndex()).Select(p => p.Name));
        Assert.Equal([("TaintToleration", 3), ("NodeAffinity", 2), ("NodeResourcesFit", 1), ("PodTopologySpread", 2), ("InterPodAffinity", 2),
            ("NodeResourcesBalancedAllocation", 1)],
            SchedulingFramework.DefaultPlugins(new NamespaceIndex()).OfType<IScorePlugin>().Select(p => (p.Name, p.Weight)));
    }

    [Fact]
    public void PodWithoutAffinityOrSpread_SkipsBothPlugins()
    {
        var framework = new SchedulingFramework(1);
        var pod = Pod("p");
        var state = new CycleState(pod, PodRequests.Of(pod), [Sized(Node("n1"), Pod("a", Labels("app", "web"))), Sized(Node("n2"))]);

        var (feasible, _) = framework.Filter(state);
        framework.SelectHost(state, feasible);

        Assert.Equal(["InterPodAffinity", "PodTopologySpread"], state.SkipFilter.Order());
        Assert.Equal(["InterPodAffinity", "PodTopologySpread"], state.SkipScore.Order());
    }

    [Fact]
    public void ANodeFailingSeveralFilters_ReportsTheFirstInProfileOrder()
    {
        var framework = new SchedulingFramework(1);
        var pod = Pod("p", Labels("app", "web"), affinity: new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("app", "web")] },
        });
        var tainted = Node("n1", taints: [new V1Taint { Key = "dedicated", Value = "x", Effect = "NoSchedule" }]);
        var state = new CycleState(pod, PodRequests.Of(pod), [Sized(tainted, Pod("w", Labels("app", "web"))), Sized(Node("n2"), Pod("v", Labels("app", "web")))]);

        var (_, rejected) = framework.Filter(state);

        Assert.Equal("0/2 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 1 node(s) had untolerated taint {dedicated: x}.",
            FitError.Histogram(2, rejected));
    }
}
