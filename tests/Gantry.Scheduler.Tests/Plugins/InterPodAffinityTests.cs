using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Plugins;
using k8s.Models;
using static Gantry.Scheduler.Tests.Plugins.Snapshot;

namespace Gantry.Scheduler.Tests.Plugins;

public sealed class InterPodAffinityTests
{
    private const string Zone = "topology.kubernetes.io/zone";
    private readonly NamespaceIndex _namespaces = new();

    private InterPodAffinity Plugin() => new(_namespaces);

    private static V1Affinity RequiredAffinity(params V1PodAffinityTerm[] terms) =>
        new() { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = terms } };

    private static V1Affinity RequiredAntiAffinity(params V1PodAffinityTerm[] terms) =>
        new() { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = terms } };

    [Fact]
    public void PreFilter_Skips_WhenNoPodHasAffinityTerms()
    {
        var state = new CycleState(Pod("p"), PodRequests.Of(Pod("p")), [Info(Node("n1"), Pod("a", Labels("app", "web")))]);
        Assert.Equal(StatusCode.Skip, Plugin().PreFilter(state).Code);
    }

    [Fact]
    public void RequiredAffinity_AdmitsOnlyNodesInTheDomainOfAMatchingPod()
    {
        var pod = Pod("p", affinity: RequiredAffinity(Term("app", "db", Zone)));
        var statuses = Filter(Plugin(), pod,
            Info(Node("a1", "a"), Pod("db", Labels("app", "db"))), Info(Node("a2", "a")), Info(Node("b1", "b")), Info(Node("none")));

        Assert.True(statuses["a1"].IsSuccess);
        Assert.True(statuses["a2"].IsSuccess);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, statuses["b1"].Code);
        Assert.Equal(["node(s) didn't match pod affinity rules"], statuses["b1"].Reasons);
        Assert.Equal(["node(s) didn't match pod affinity rules"], statuses["none"].Reasons);
    }

    [Fact]
    public void RequiredAffinity_ToItself_LetsTheFirstPodOfTheGroupGoAnywhereWithTheTopologyLabel()
    {
        var pod = Pod("p", Labels("app", "cache"), affinity: RequiredAffinity(Term("app", "cache", Zone)));
        var statuses = Filter(Plugin(), pod, Info(Node("a1", "a")), Info(Node("none")));

        Assert.True(statuses["a1"].IsSuccess);
        Assert.False(statuses["none"].IsSuccess);
    }

    [Fact]
    public void RequiredAffinity_OnlyCountsPodsOfTheTermsNamespaces()
    {
        var pod = Pod("p", affinity: RequiredAffinity(Term("app", "db")));
        var statuses = Filter(Plugin(), pod, Info(Node("n1"), Pod("db", Labels("app", "db"), ns: "other")));
        Assert.False(statuses["n1"].IsSuccess);

        var term = Term("app", "db");
        term.NamespaceSelector = new V1LabelSelector { MatchLabels = Labels("team", "data") };
        _namespaces.Set(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other", Labels = Labels("team", "data") } });
        statuses = Filter(Plugin(), Pod("p", affinity: RequiredAffinity(term)), Info(Node("n1"), Pod("db", Labels("app", "db"), ns: "other")));
        Assert.True(statuses["n1"].IsSuccess);
    }

    [Fact]
    public void RequiredAntiAffinity_RejectsNodesInADomainWithAMatchingPod()
    {
        var pod = Pod("p", Labels("app", "web"), affinity: RequiredAntiAffinity(Term("app", "web")));
        var statuses = Filter(Plugin(), pod, Info(Node("n1"), Pod("web-0", Labels("app", "web"))), Info(Node("n2")));

        Assert.Equal(StatusCode.Unschedulable, statuses["n1"].Code);
        Assert.Equal(["node(s) didn't match pod anti-affinity rules"], statuses["n1"].Reasons);
        Assert.True(statuses["n2"].IsSuccess);
    }

    [Fact]
    public void ExistingPodsAntiAffinity_KeepsMatchingPodsOutOfItsDomain()
    {
        var guard = Pod("guard", affinity: RequiredAntiAffinity(Term("app", "web", Zone)));
        var statuses = Filter(Plugin(), Pod("p", Labels("app", "web")),
            Info(Node("a1", "a"), guard), Info(Node("a2", "a")), Info(Node("b1", "b")));

        Assert.Equal(["node(s) didn't satisfy existing pods anti-affinity rules"], statuses["a1"].Reasons);
        Assert.Equal(["node(s) didn't satisfy existing pods anti-affinity rules"], statuses["a2"].Reasons);
        Assert.True(statuses["b1"].IsSuccess);
        Assert.True(Filter(Plugin(), Pod("other", Labels("app", "db")), Info(Node("a1", "a"), guard))["a1"].IsSuccess);
    }

    [Fact]
    public void ExistingPodsAntiAffinity_WithANamespaceSelector_AppliesToPodsOfTheSelectedNamespaces()
    {
        var term = Term("app", "web");
        term.NamespaceSelector = new V1LabelSelector { MatchLabels = Labels("env", "prod") };
        var guard = Pod("guard", ns: "ops", affinity: RequiredAntiAffinity(term));
        _namespaces.Set(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = Labels("env", "prod") } });
        _namespaces.Set(new V1Namespace { Metadata = new V1ObjectMeta { Name = "test", Labels = Labels("env", "dev") } });

        Assert.False(Filter(Plugin(), Pod("p", Labels("app", "web"), ns: "shop"), Info(Node("n1"), guard))["n1"].IsSuccess);
        Assert.True(Filter(Plugin(), Pod("p", Labels("app", "web"), ns: "test"), Info(Node("n1"), guard))["n1"].IsSuccess);
        // Neither namespaces nor a selector: the guard's own namespace only.
        var local = Pod("local", ns: "ops", affinity: RequiredAntiAffinity(Term("app", "web")));
        Assert.True(Filter(Plugin(), Pod("p", Labels("app", "web"), ns: "shop"), Info(Node("n1"), local))["n1"].IsSuccess);
    }

    [Fact]
    public void EmptyNamespaceSelector_SelectsPodsOfEveryNamespace()
    {
        var term = Term("app", "db");
        term.NamespaceSelector = new V1LabelSelector();
        var statuses = Filter(Plugin(), Pod("p", affinity: RequiredAffinity(term)), Info(Node("n1"), Pod("db", Labels("app", "db"), ns: "elsewhere")), Info(Node("n2")));
        Assert.True(statuses["n1"].IsSuccess);
        Assert.False(statuses["n2"].IsSuccess);
    }

    [Fact]
    public void MatchLabelKeys_RestrictTheTermToPodsWithTheSameValue()
    {
        var term = Term("app", "web");
        term.MatchLabelKeys = ["version"];
        var pod = Pod("p", new Dictionary<string, string> { ["app"] = "web", ["version"] = "2" }, affinity: RequiredAntiAffinity(term));
        var statuses = Filter(Plugin(), pod,
            Info(Node("old"), Pod("v1", new Dictionary<string, string> { ["app"] = "web", ["version"] = "1" })),
            Info(Node("new"), Pod("v2", new Dictionary<string, string> { ["app"] = "web", ["version"] = "2" })));

        Assert.True(statuses["old"].IsSuccess);
        Assert.False(statuses["new"].IsSuccess);
    }

    [Fact]
    public void RemovingAVictim_InAPreemptionDryRun_LiftsTheAntiAffinityRejection()
    {
        var plugin = Plugin();
        var framework = new SchedulingFramework(1, [plugin]);
        var victim = Pod("victim", Labels("app", "web"));
        victim.Spec.Priority = -1;
        var node = Info(Node("n1"), victim);
        var pod = Pod("p", Labels("app", "web"), affinity: RequiredAntiAffinity(Term("app", "web")));
        var state = new CycleState(pod, PodRequests.Of(pod), [node]);
        framework.RunPreFilters(state);

        Assert.False(framework.RunFilters(state, node).IsSuccess);
        var trial = new DryRunNode(framework, state, node);
        trial.Remove([.. node.Pods.Where(p => p.Priority < 0)]);
        Assert.True(framework.RunFilters(trial.State, trial.Node).IsSuccess);
        Assert.False(framework.RunFilters(state, node).IsSuccess);
    }

    [Fact]
    public void Score_PrefersDomainsWithPreferredPods_AndAvoidsPreferredAntiAffinity()
    {
        var pod = Pod("p", affinity: new V1Affinity
        {
            PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "db", Zone), Weight = 10 }] },
            PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "web"), Weight = 5 }] },
        });
        var scores = Score(Plugin(), pod,
            Info(Node("a1", "a"), Pod("db", Labels("app", "db"))), Info(Node("a2", "a"), Pod("web", Labels("app", "web"))), Info(Node("b1", "b")));

        // Raw: a1 = 10, a2 = 10 - 5, b1 = 0; normalized min..max.
        Assert.Equal(new Dictionary<string, long> { ["a1"] = 100, ["a2"] = 50, ["b1"] = 0 }, scores);
    }

    [Fact]
    public void Score_CountsExistingPodsRequiredAffinityWithWeightOne_AndTheirPreferredTerms()
    {
        var required = Pod("r", affinity: RequiredAffinity(Term("app", "web")));
        var preferring = Pod("q", affinity: new V1Affinity
        {
            PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "web"), Weight = 3 }] },
        });
        var scores = Score(Plugin(), Pod("p", Labels("app", "web")), Info(Node("n1"), required), Info(Node("n2"), preferring), Info(Node("n3")));

        Assert.Equal(new Dictionary<string, long> { ["n1"] = 33, ["n2"] = 100, ["n3"] = 0 }, scores);
    }

    [Fact]
    public void Score_Skips_WhenNothingHasPreferences()
    {
        Assert.Null(Score(Plugin(), Pod("p"), Info(Node("n1"), Pod("a", Labels("app", "web"))), Info(Node("n2"))));
    }

    [Fact]
    public void ManyNodes_AreCountedInParallel_WithTheSameResult()
    {
        var nodes = Enumerable.Range(0, 600).Select(i => i == 417 ? Info(Node($"n{i}"), Pod("db", Labels("app", "db"))) : Info(Node($"n{i}"), Pod($"w{i}", Labels("app", "web")))).ToArray();

        var statuses = Filter(4, Plugin(), Pod("p", affinity: RequiredAffinity(Term("app", "db"))), nodes);
        Assert.Equal(["n417"], statuses.Where(s => s.Value.IsSuccess).Select(s => s.Key));
        statuses = Filter(4, Plugin(), Pod("q", affinity: RequiredAntiAffinity(Term("app", "web"))), nodes);
        Assert.Equal(["n417"], statuses.Where(s => s.Value.IsSuccess).Select(s => s.Key));
        var preferring = Pod("r", affinity: new V1Affinity
        {
            PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "db"), Weight = 7 }] },
        });
        Assert.Equal(["n417"], Score(Plugin(), preferring, nodes)!.Where(s => s.Value == 100).Select(s => s.Key));
    }
}
