using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Preemption;
using k8s.Models;
using static Gantry.Scheduler.Tests.Preemption.PreemptionFixtures;

namespace Gantry.Scheduler.Tests.Preemption;

public sealed class PreemptionPlannerTests
{
    private readonly SchedulingFramework _framework = new(2);
    private readonly Nominator _nominator = new("default-scheduler");

    private PreemptionPlanner Planner() => new(_framework, _nominator, _ => false, 2);

    private static CycleState Cycle(V1Pod pod, params NodeInfo[] nodes) => new(pod, PodRequests.Of(pod), nodes);

    private (PreemptionPlan Plan, string Message) Run(V1Pod pod, params NodeInfo[] nodes)
    {
        var planner = Planner();
        var state = new CycleState(pod, PodRequests.Of(pod), nodes);
        var (feasible, rejected) = planner.Filter(state);
        Assert.Empty(feasible);
        var plan = planner.Plan(state, rejected, [], preempting: false, Now);
        return (plan, FitError.Message(nodes.Length, rejected, plan.Message));
    }

    [Fact]
    public void Plan_WithoutLowerPriorityPods_SaysNoVictimsFound_LikeKubeScheduler()
    {
        var (plan, message) = Run(Pod("p", 0, cpu: "2"),
            Info(Node("a", cpu: "1")), Info(Node("b", cpu: "1")), Info(Node("c", cpu: "1")));

        Assert.Null(plan.Chosen);
        Assert.True(plan.ClearNomination);
        Assert.Equal("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", message);
    }

    [Fact]
    public void Plan_CountsNodesRejectedForUnresolvableReasons_AsNotHelpful()
    {
        var taint = new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };
        var (_, message) = Run(Pod("p", 10, cpu: "2"),
            Info(Node("tainted", cpu: "8", taints: [taint])), Info(Node("full", cpu: "2"), Pod("high", 100, cpu: "1")),
            Info(Node("small", cpu: "1"), Pod("low", 0)));

        Assert.Equal("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. " +
            "preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            message);
    }

    [Fact]
    public void Plan_ForAPodThatMayNotPreempt_SaysSo()
    {
        var (plan, message) = Run(Pod("p", 10, cpu: "1", preemptionPolicy: "Never"), Info(Node("n", cpu: "1"), Pod("low", 0)));

        Assert.Null(plan.Chosen);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", message);
    }

    [Fact]
    public void Plan_PicksTheNodeWithTheCheapestVictims_AndReportsNothing()
    {
        var (plan, message) = Run(Pod("p", 10, cpu: "1"),
            Info(Node("a", cpu: "1"), Pod("mid", 5)), Info(Node("b", cpu: "1"), Pod("low", 1)), Info(Node("c", cpu: "1"), Pod("high", 50)));

        Assert.Equal("b", plan.Chosen!.Node);
        Assert.Equal(["low"], plan.Chosen.Victims.Select(v => v.Name()));
        Assert.Equal("0/3 nodes are available: 3 Insufficient cpu.", message);
    }

    [Fact]
    public void Plan_WhileAVictimOnTheNominatedNodeTerminates_WaitsInsteadOfPreemptingAgain()
    {
        var victim = Pod("low", 0);
        victim.Metadata.DeletionTimestamp = Now;
        victim.Status.Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "PreemptionByScheduler" }];
        var preemptor = Pod("p", 10);
        preemptor.Status.NominatedNodeName = "n";

        var (plan, message) = Run(preemptor, Info(Node("n", cpu: "1"), victim), Info(Node("m", cpu: "1"), Pod("other", 0)));

        Assert.Null(plan.Chosen);
        Assert.False(plan.ClearNomination);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.", message);
    }

    [Fact]
    public void Filter_KeepsTheRoomOfANominatedPodFromPodsOfLowerPriority_ButNotFromHigherOnes()
    {
        var node = Info(Node("n", cpu: "2"), Pod("running", 0));
        _nominator.Nominate(Pod("nominated", 100), "n");
        var planner = Planner();

        var (lowFeasible, lowRejected) = planner.Filter(Cycle(Pod("low", 50), node));
        var (highFeasible, _) = planner.Filter(Cycle(Pod("higher", 200), node));
        var (selfFeasible, _) = planner.Filter(Cycle(Pod("nominated", 100), node));

        Assert.Empty(lowFeasible);
        Assert.Equal(["Insufficient cpu"], lowRejected["n"].Reasons);
        Assert.Same(node, Assert.Single(highFeasible));
        Assert.Same(node, Assert.Single(selfFeasible));
    }

    [Fact]
    public void Filter_CountsANominatedPodInTheAntiAffinityOfTheIncomingPod_ThroughThePreFilterExtensions()
    {
        var web = new Dictionary<string, string> { ["app"] = "web" };
        var node = Info(Node("n", cpu: "8"));
        _nominator.Nominate(Pod("nominated", 100, labels: web), "n");
        var pod = Pod("p", 50);
        pod.Spec.Affinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = web } },
                ],
            },
        };

        var (feasible, rejected) = Planner().Filter(Cycle(pod, node));

        Assert.Empty(feasible);
        Assert.Equal(["node(s) didn't match pod anti-affinity rules"], rejected["n"].Reasons);
    }

    [Fact]
    public void Filter_ForAPodNominatedToANodeThatNowFitsIt_ReturnsThatNodeAlone()
    {
        var pod = Pod("p", 10);
        pod.Status.NominatedNodeName = "freed";
        var freed = Info(Node("freed", cpu: "1"));
        var roomier = Info(Node("roomier", cpu: "8"));

        var (feasible, rejected) = Planner().Filter(Cycle(pod, roomier, freed));

        Assert.Same(freed, Assert.Single(feasible));
        Assert.Empty(rejected);
    }

    [Fact]
    public void Nominator_KeepsAnInMemoryNomination_UntilThePodIsBoundOrItsNominationIsCleared()
    {
        var pod = Pod("p", 10);
        _nominator.Nominate(pod, "n");
        var updated = Pod("p", 10);
        updated.Metadata.ResourceVersion = "2";

        _nominator.OnPodUpdated(pod, updated);
        Assert.Equal("n", _nominator.NodeOf(pod.Metadata.Uid));

        var bound = Pod("p", 10, node: "n");
        _nominator.OnPodUpdated(updated, bound);
        Assert.Null(_nominator.NodeOf(pod.Metadata.Uid));
        Assert.True(_nominator.IsEmpty);
    }
}
