using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using static Gantry.Scheduler.Tests.Preemption.PreemptionFixtures;

namespace Gantry.Scheduler.Tests;

public sealed class PercentageOfNodesToScoreTests
{
    [Theory]
    [InlineData(50, 50)] // fewer than 100 nodes: all of them
    [InlineData(100, 100)] // 50% would be 50: at least 100
    [InlineData(1000, 420)] // 50 - 1000/125 = 42%
    [InlineData(5000, 500)] // 50 - 40 = 10%
    [InlineData(10000, 500)] // 50 - 80 < 5: 5%
    public void NumFeasibleNodesToFind_WithTheAdaptiveDefault_MatchesKubeScheduler(int nodes, int expected) =>
        Assert.Equal(expected, SchedulingFramework.NumFeasibleNodesToFind(0, nodes));

    [Theory]
    [InlineData(100, 5000, 5000)]
    [InlineData(30, 5000, 1500)]
    [InlineData(1, 5000, 100)]
    public void NumFeasibleNodesToFind_WithAConfiguredPercentage_KeepsAtLeast100(int percentage, int nodes, int expected) =>
        Assert.Equal(expected, SchedulingFramework.NumFeasibleNodesToFind(percentage, nodes));

    [Fact]
    public void Filter_StopsAtTheNodesToFind_AndTheNextCycleStartsAfterTheNodesExamined()
    {
        var nodes = Enumerable.Range(0, 1000).Select(i => Info(Node($"n{i:D4}"))).ToList();
        var framework = new SchedulingFramework(1);
        var pod = Pod("p", 0);

        var (first, _) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));
        Assert.Equal(420, first.Count);
        Assert.Equal("n0000", first[0].Name);
        Assert.Equal(420, framework.NextStartNodeIndex);

        var (second, _) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));
        Assert.Equal("n0420", second[0].Name);
        Assert.Equal(840, framework.NextStartNodeIndex);

        // The third cycle wraps around the end of the list.
        var (third, _) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));
        Assert.Equal(["n0840", "n0999", "n0000"], new[] { third[0], third[159], third[160] }.Select(n => n.Name));
        Assert.Equal(260, framework.NextStartNodeIndex);
    }

    [Fact]
    public void Filter_CountsRejectedNodesAmongTheNodesExamined()
    {
        // 200 nodes: 100 to find; the first 50 are too small.
        var nodes = Enumerable.Range(0, 200).Select(i => Info(Node($"n{i:D3}", cpu: i < 50 ? "500m" : "4"))).ToList();
        var framework = new SchedulingFramework(1);
        var pod = Pod("p", 0);

        var (feasible, rejected) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));

        Assert.Equal(100, feasible.Count);
        Assert.Equal(50, rejected.Count);
        Assert.Equal(150, framework.NextStartNodeIndex);
    }

    [Fact]
    public void Filter_WithNoFeasibleNode_ExaminesEveryNode()
    {
        var nodes = Enumerable.Range(0, 300).Select(i => Info(Node($"n{i:D3}", cpu: "500m"))).ToList();
        var framework = new SchedulingFramework(1);
        var pod = Pod("p", 0);

        var (feasible, rejected) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));

        Assert.Empty(feasible);
        Assert.Equal(300, rejected.Count);
    }

    [Fact]
    public void Filter_InParallel_FindsAsManyNodesAsInOrder()
    {
        var nodes = Enumerable.Range(0, 5000).Select(i => Info(Node($"n{i:D4}"))).ToList();
        var framework = new SchedulingFramework(4) { ParallelFilterMinNodes = 0 };
        var pod = Pod("p", 0);

        var (feasible, _) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));

        Assert.Equal(500, feasible.Count);
        Assert.Equal(500, feasible.Distinct().Count());
    }

    [Fact]
    public void Filter_WithAPercentageOf100_ExaminesEveryNode()
    {
        var nodes = Enumerable.Range(0, 1000).Select(i => Info(Node($"n{i:D4}"))).ToList();
        var framework = new SchedulingFramework(1) { PercentageOfNodesToScore = 100 };
        var pod = Pod("p", 0);

        var (feasible, _) = framework.Filter(new CycleState(pod, PodRequests.Of(pod), nodes));

        Assert.Equal(1000, feasible.Count);
    }
}
