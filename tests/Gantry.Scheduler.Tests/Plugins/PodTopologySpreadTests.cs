using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Plugins;
using k8s.Models;
using static Gantry.Scheduler.Tests.Plugins.Snapshot;

namespace Gantry.Scheduler.Tests.Plugins;

public sealed class PodTopologySpreadTests
{
    private const string Zone = "topology.kubernetes.io/zone";

    private static V1Pod Spread(string name, int maxSkew = 1, string key = Zone, string when = "DoNotSchedule", int? minDomains = null,
        string? taintsPolicy = null)
    {
        var pod = Pod(name, Labels("app", "web"));
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = maxSkew, TopologyKey = key, WhenUnsatisfiable = when, MinDomains = minDomains, NodeTaintsPolicy = taintsPolicy,
                LabelSelector = new V1LabelSelector { MatchLabels = Labels("app", "web") },
            },
        ];
        return pod;
    }

    private static V1Pod Web(string name) => Pod(name, Labels("app", "web"));

    [Fact]
    public void PreFilter_Skips_PodsWithoutConstraints()
    {
        var state = new CycleState(Pod("p"), PodRequests.Of(Pod("p")), [Info(Node("n1", "a"))]);
        Assert.Equal(StatusCode.Skip, new PodTopologySpread().PreFilter(state).Code);
    }

    [Fact]
    public void Filter_RejectsDomainsThatWouldExceedMaxSkew()
    {
        var statuses = Filter(new PodTopologySpread(), Spread("p"),
            Info(Node("a1", "a"), Web("w1"), Web("w2")), Info(Node("b1", "b"), Web("w3")), Info(Node("c1", "c"), Web("w4")));

        Assert.Equal(["node(s) didn't match pod topology spread constraints"], statuses["a1"].Reasons);
        Assert.Equal(StatusCode.Unschedulable, statuses["a1"].Code);
        // 1 + 1 - 1 = 1 <= maxSkew.
        Assert.True(statuses["b1"].IsSuccess);
        Assert.True(statuses["c1"].IsSuccess);
    }

    [Fact]
    public void Filter_RejectsNodesWithoutTheTopologyKey_AsUnresolvable()
    {
        var status = Filter(new PodTopologySpread(), Spread("p"), Info(Node("bare")), Info(Node("a1", "a")))["bare"];
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal(["node(s) didn't match pod topology spread constraints (missing required label)"], status.Reasons);
    }

    [Fact]
    public void Filter_CountsOnlyMatchingPodsOfThePodsNamespace()
    {
        var statuses = Filter(new PodTopologySpread(), Spread("p"),
            Info(Node("a1", "a"), Pod("other-app", Labels("app", "db")), Pod("other-ns", Labels("app", "web"), ns: "x")), Info(Node("b1", "b"), Web("w")));
        Assert.True(statuses["a1"].IsSuccess);
        Assert.False(statuses["b1"].IsSuccess);
    }

    [Fact]
    public void MatchLabelKeys_CountOnlyPodsWithThePodsValueOfTheKey()
    {
        var pod = Spread("p");
        pod.Metadata.Labels["pod-template-hash"] = "v2";
        pod.Spec.TopologySpreadConstraints[0].MatchLabelKeys = ["pod-template-hash"];
        var old = Pod("old", new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = "v1" });

        // The old revision's pod in zone a does not count: both zones are empty for this revision.
        var statuses = Filter(new PodTopologySpread(), pod, Info(Node("a1", "a"), old), Info(Node("b1", "b")));
        Assert.True(statuses["a1"].IsSuccess);
        Assert.True(statuses["b1"].IsSuccess);
    }

    [Fact]
    public void MinDomains_TreatsTheGlobalMinimumAsZero_WhileTooFewDomainsExist()
    {
        var nodes = new[] { Info(Node("a1", "a"), Web("w1")), Info(Node("b1", "b"), Web("w2")) };
        Assert.True(Filter(new PodTopologySpread(), Spread("p"), nodes)["a1"].IsSuccess);
        // With minDomains 3 the minimum is 0: 1 + 1 - 0 = 2 > 1 everywhere.
        Assert.All(Filter(new PodTopologySpread(), Spread("p", minDomains: 3), nodes).Values, s => Assert.False(s.IsSuccess));
    }

    [Fact]
    public void NodeTaintsPolicyHonor_LeavesUntoleratedNodesOutOfTheDomains()
    {
        var tainted = Node("c1", "c", taints: [new V1Taint { Key = "k", Effect = "NoSchedule" }]);
        var nodes = new[] { Info(Node("a1", "a"), Web("w1")), Info(Node("b1", "b"), Web("w2")), Info(tainted) };
        // Ignored (the default): zone c counts with 0 pods, so a and b are too full.
        Assert.False(Filter(new PodTopologySpread(), Spread("p"), nodes)["a1"].IsSuccess);
        Assert.True(Filter(new PodTopologySpread(), Spread("p", taintsPolicy: "Honor"), nodes)["a1"].IsSuccess);
    }

    [Fact]
    public void NodeAffinityPolicyHonor_LeavesNodesTheSelectorExcludesOutOfTheDomains()
    {
        var pod = Spread("p");
        pod.Spec.NodeSelector = Labels("disk", "ssd");
        var nodes = new[] { Info(Node("a1", "a", Labels("disk", "ssd")), Web("w1")), Info(Node("b1", "b")) };
        Assert.True(Filter(new PodTopologySpread(), pod, nodes)["a1"].IsSuccess);
    }

    [Fact]
    public void Score_PrefersTheEmptierDomain_ForScheduleAnyway()
    {
        var scores = Score(new PodTopologySpread(), Spread("p", when: "ScheduleAnyway"),
            Info(Node("a1", "a"), Web("w1"), Web("w2")), Info(Node("b1", "b"), Web("w3")), Info(Node("c1", "c")), Info(Node("bare")));

        // Weight ln(3 + 2) = 1.61: a = round(3.22) = 3, b = round(1.61) = 2, c = 0; normalized 100 * (max + min - s) / max;
        // nodes without the key score 0.
        Assert.Equal(new Dictionary<string, long> { ["a1"] = 0, ["b1"] = 33, ["c1"] = 100, ["bare"] = 0 }, scores);
    }

    [Fact]
    public void Score_CountsHostnameDomainsPerNode()
    {
        var scores = Score(new PodTopologySpread(), Spread("p", key: "kubernetes.io/hostname", when: "ScheduleAnyway"),
            Info(Node("n1"), Web("w1")), Info(Node("n2")));
        Assert.Equal(new Dictionary<string, long> { ["n1"] = 0, ["n2"] = 100 }, scores);
    }

    [Fact]
    public void RemovingAVictim_InAPreemptionDryRun_LowersTheDomainCount()
    {
        var framework = new SchedulingFramework(1, [new PodTopologySpread()]);
        var victim = Web("victim");
        victim.Spec.Priority = -1;
        var a = Info(Node("a1", "a"), victim);
        var pod = Spread("p");
        var state = new CycleState(pod, PodRequests.Of(pod), [a, Info(Node("b1", "b"))]);
        framework.RunPreFilters(state);

        Assert.False(framework.RunFilters(state, a).IsSuccess);
        var trial = new DryRunNode(framework, state, a);
        trial.Remove([.. a.Pods.Where(p => p.Priority < 0)]);
        Assert.True(framework.RunFilters(trial.State, trial.Node).IsSuccess);
    }

    [Fact]
    public void ManyNodes_AreCountedInParallel_WithTheSameResult()
    {
        // 600 nodes (enough for PreFilter / PreScore to spread over threads): zones z0 and z1 hold one matching pod per
        // node, z2 none.
        var nodes = Enumerable.Range(0, 600).Select(i => i % 3 == 2 ? Info(Node($"n{i}", "z2")) : Info(Node($"n{i}", $"z{i % 3}"), Web($"w{i}"))).ToArray();

        var statuses = Filter(4, new PodTopologySpread(), Spread("p"), nodes);
        Assert.All(nodes, n => Assert.Equal(n.Node.Metadata.Labels["topology.kubernetes.io/zone"] == "z2", statuses[n.Name].IsSuccess));
        var scores = Score(new PodTopologySpread(), Spread("p", when: "ScheduleAnyway"), nodes)!;
        Assert.All(nodes, n => Assert.Equal(n.Node.Metadata.Labels["topology.kubernetes.io/zone"] == "z2" ? 100 : 0, scores[n.Name]));
    }
}
