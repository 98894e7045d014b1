using Gantry.Controllers.ReplicaSet;
using k8s.Models;

namespace Gantry.Controllers.Tests.ReplicaSet;

public sealed class ReplicaBuildingBlockTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SlowStart_RunsBatchesOfOneTwoFour_AndStopsAfterTheFirstFailingBatch()
    {
        var calls = 0;
        var (successes, error) = await SlowStartBatch.RunAsync(10, 1, () =>
            Interlocked.Increment(ref calls) > 3 ? Task.FromException(new InvalidOperationException("quota")) : Task.CompletedTask);

        Assert.Equal(7, calls); // 1 + 2 + 4: the batch of four fails, the remaining three are never tried
        Assert.Equal(3, successes);
        Assert.Equal("quota", error?.Message);
    }

    [Fact]
    public async Task SlowStart_WithoutFailures_CallsExactlyCountTimes()
    {
        var calls = 0;
        var (successes, error) = await SlowStartBatch.RunAsync(5, 1, () => { Interlocked.Increment(ref calls); return Task.CompletedTask; });

        Assert.Equal((5, 5), (calls, successes));
        Assert.Null(error);
    }

    [Fact]
    public void Expectations_AreSatisfiedOnlyOnceEveryCreateIsObserved()
    {
        var expectations = new ControllerExpectations(new ManualClock(Now), TimeSpan.FromMinutes(5));
        Assert.True(expectations.Satisfied("ns/rs"));

        expectations.ExpectCreations("ns/rs", 2);
        expectations.CreationObserved("ns/rs");
        Assert.False(expectations.Satisfied("ns/rs"));
        expectations.CreationObserved("ns/rs");
        Assert.True(expectations.Satisfied("ns/rs"));
    }

    [Fact]
    public void Expectations_CountEachDeletedPodOnce()
    {
        var expectations = new ControllerExpectations(new ManualClock(Now), TimeSpan.FromMinutes(5));
        expectations.ExpectDeletions("ns/rs", ["ns/a", "ns/b"]);

        expectations.DeletionObserved("ns/rs", "ns/a"); // deletion timestamp seen
        expectations.DeletionObserved("ns/rs", "ns/a"); // then the pod is gone
        expectations.DeletionObserved("ns/rs", "ns/other");
        Assert.False(expectations.Satisfied("ns/rs"));

        expectations.DeletionObserved("ns/rs", "ns/b");
        Assert.True(expectations.Satisfied("ns/rs"));
    }

    [Fact]
    public void Expectations_ExpireAfterTheirTimeout()
    {
        var clock = new ManualClock(Now);
        var expectations = new ControllerExpectations(clock, TimeSpan.FromMinutes(5));
        expectations.ExpectCreations("ns/rs", 3);

        clock.Now = Now.AddMinutes(4);
        Assert.False(expectations.Satisfied("ns/rs"));
        clock.Now = Now.AddMinutes(5).AddSeconds(1);
        Assert.True(expectations.Satisfied("ns/rs"));
    }

    [Fact]
    public void Ranking_PutsUnassignedThenPendingThenNotReadyPodsFirst()
    {
        var readyOnNode = Pod("ready", node: "n1", phase: "Running", readySince: Now.AddHours(-1));
        var notReadyOnNode = Pod("not-ready", node: "n1", phase: "Running");
        var pendingOnNode = Pod("pending", node: "n1", phase: "Pending");
        var unknownOnNode = Pod("unknown", node: "n1", phase: "Unknown");
        var unassigned = Pod("unassigned", node: "", phase: "Running", readySince: Now.AddHours(-1));

        var order = ActivePodsRanking.Sort([readyOnNode, notReadyOnNode, unknownOnNode, unassigned, pendingOnNode], [], Now);

        Assert.Equal(["unassigned", "pending", "unknown", "not-ready", "ready"], order.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void Ranking_AmongReadyPods_PrefersLowerCost_DoubledUp_ShorterReady_MoreRestarts_Newer()
    {
        var cheap = Pod("cheap", node: "n1", phase: "Running", readySince: Now.AddDays(-30), cost: -5);
        var doubledUp = Pod("doubled", node: "n2", phase: "Running", readySince: Now.AddDays(-30));
        var recentlyReady = Pod("recent", node: "n3", phase: "Running", readySince: Now.AddSeconds(-10));
        var restarting = Pod("restarts", node: "n4", phase: "Running", readySince: Now.AddDays(-30), restarts: 4);
        var newer = Pod("newer", node: "n5", phase: "Running", readySince: Now.AddDays(-30), created: Now.AddDays(-31));
        var oldest = Pod("oldest", node: "n6", phase: "Running", readySince: Now.AddDays(-30), created: Now.AddDays(-300));
        var sibling = Pod("sibling", node: "n2", phase: "Running", readySince: Now.AddDays(-30));
        var all = new[] { oldest, newer, restarting, recentlyReady, doubledUp, cheap };

        var order = ActivePodsRanking.Sort(all, [.. all, sibling], Now);

        Assert.Equal(["cheap", "doubled", "recent", "restarts", "newer", "oldest"], order.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void Selector_EvaluatesMatchLabelsAndEveryExpressionOperator()
    {
        var selector = PodSelector.From(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "edge"] },
                new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "NotIn", Values = ["prod"] },
                new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "Exists" },
                new V1LabelSelectorRequirement { Key = "legacy", OperatorProperty = "DoesNotExist" },
            ],
        })!;

        Assert.True(selector.Matches(Labels(("app", "web"), ("tier", "edge"), ("team", "a"))));
        Assert.False(selector.Matches(Labels(("app", "web"), ("tier", "edge"), ("team", "a"), ("env", "prod"))));
        Assert.False(selector.Matches(Labels(("app", "web"), ("tier", "back"), ("team", "a"))));
        Assert.False(selector.Matches(Labels(("app", "web"), ("tier", "edge"))));
        Assert.False(selector.Matches(Labels(("app", "web"), ("tier", "edge"), ("team", "a"), ("legacy", "1"))));
        Assert.Null(PodSelector.From(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "Gt" }] }));
    }

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static V1Pod Pod(string name, string node, string phase, DateTimeOffset? readySince = null, int cost = 0, int restarts = 0,
        DateTimeOffset? created = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Uid = $"uid-{name}",
            CreationTimestamp = (created ?? Now.AddDays(-60)).UtcDateTime,
            Annotations = cost == 0 ? null : new Dictionary<string, string> { [ActivePodsRanking.DeletionCostAnnotation] = $"{cost}" },
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "i" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = readySince is { } since ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = since.UtcDateTime }] : null,
            ContainerStatuses = [new V1ContainerStatus { Name = "c", Image = "i", ImageID = "i", Ready = readySince is not null, RestartCount = restarts }],
        },
    };
}
