using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Plugins;
using k8s.Models;
using static Gantry.Scheduler.Tests.Plugins.Snapshot;

namespace Gantry.Scheduler.Tests.Plugins;

public sealed class PodTopologySpreadDefaultsTests
{
    private static readonly LabelMatcher WebSelector = LabelMatcher.From(new V1LabelSelector { MatchLabels = Labels("app", "web") });

    private static V1Pod Web(string name) => Pod(name, Labels("app", "web"));

    private static PodTopologySpread SystemDefaults(LabelMatcher selector) => new(new PodTopologySpreadArgs(), _ => selector);

    [Fact]
    public void SystemDefaults_SpreadAPodWithoutConstraintsOverHostnamesAndZones()
    {
        var scores = Score(SystemDefaults(WebSelector), Web("p"),
            Info(Node("n1", "a"), Web("w1"), Web("w2")), Info(Node("n2", "a")), Info(Node("n3", "b")));

        // hostname (maxSkew 3, weight ln 5) and zone (maxSkew 5, weight ln 4): n1 = 2*1.61+2 + 2*1.39+4 = 12, n2 = 2 +
        // 2*1.39+4 = 9, n3 = 2 + 4 = 6; normalized 100 * (max + min - s) / max.
        Assert.Equal(new Dictionary<string, long> { ["n1"] = 50, ["n2"] = 75, ["n3"] = 100 }, scores);
    }

    [Fact]
    public void SystemDefaults_StillSpreadOverHostnames_OnNodesWithoutZones()
    {
        var scores = Score(SystemDefaults(WebSelector), Web("p"), Info(Node("m1"), Web("w1")), Info(Node("m2")));

        // Not ignored for lacking the zone key: m1 = 1*ln 4 + 2 = 3, m2 = 2.
        Assert.Equal(new Dictionary<string, long> { ["m1"] = 66, ["m2"] = 100 }, scores);
    }

    [Fact]
    public void ListDefaults_IgnoreNodesWithoutEveryKey_LikeAPodsOwnConstraints()
    {
        var plugin = new PodTopologySpread(new PodTopologySpreadArgs { DefaultingType = "List", DefaultConstraints = PodTopologySpreadArgs.SystemDefaultConstraints },
            _ => WebSelector);

        var scores = Score(plugin, Web("p"), Info(Node("m1"), Web("w1")), Info(Node("m2")));

        Assert.Equal(new Dictionary<string, long> { ["m1"] = 0, ["m2"] = 0 }, scores);
    }

    [Fact]
    public void Defaults_DoNotApply_WhenNothingSelectsThePod()
    {
        Assert.Null(Score(SystemDefaults(LabelMatcher.Everything), Web("p"), Info(Node("n1", "a"), Web("w1")), Info(Node("n2", "b"))));
    }

    [Fact]
    public void Defaults_DoNotApply_ToAPodWithConstraintsOfItsOwn()
    {
        var pod = Web("p");
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "DoNotSchedule",
                LabelSelector = new V1LabelSelector { MatchLabels = Labels("app", "web") },
            },
        ];
        // Its own constraints are all DoNotSchedule: nothing is left to score, the hostname default included.
        Assert.Null(Score(SystemDefaults(WebSelector), pod, Info(Node("n1", "a"), Web("w1")), Info(Node("n2", "b"))));
    }

    [Fact]
    public void SystemDefaults_NeverFilter()
    {
        var state = new CycleState(Web("p"), PodRequests.Of(Web("p")), [Info(Node("n1", "a"), Web("w1"), Web("w2"), Web("w3"), Web("w4"))]);
        Assert.Equal(StatusCode.Skip, SystemDefaults(WebSelector).PreFilter(state).Code);
    }

    [Fact]
    public void ListDefaults_WithDoNotSchedule_Filter()
    {
        var plugin = new PodTopologySpread(new PodTopologySpreadArgs
        {
            DefaultingType = "List",
            DefaultConstraints = [new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "DoNotSchedule" }],
        }, _ => WebSelector);

        var statuses = Filter(plugin, Web("p"), Info(Node("a1", "a"), Web("w1")), Info(Node("b1", "b")));

        Assert.False(statuses["a1"].IsSuccess);
        Assert.True(statuses["b1"].IsSuccess);
    }

    [Fact]
    public void SystemDefaulting_WithAListOfConstraints_IsRejected()
    {
        var args = new PodTopologySpreadArgs { DefaultConstraints = PodTopologySpreadArgs.SystemDefaultConstraints };
        Assert.Throws<ArgumentException>(() => new PodTopologySpread(args));
    }
}
