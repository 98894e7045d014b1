using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Preemption;
using k8s.Models;
using static Gantry.Scheduler.Tests.Preemption.PreemptionFixtures;

namespace Gantry.Scheduler.Tests.Preemption;

public sealed class VictimSelectionTests
{
    [Fact]
    public void Select_EvictsOnlyLowerPriorityPods_AndReprievesTheMostImportantThatStillLeaveRoom()
    {
        var node = Info(Node("n", cpu: "4"), Pod("p0", 0), Pod("p1", 1), Pod("p5", 5), Pod("high", 100));
        var preemptor = Pod("preemptor", 10, cpu: "2");

        var (victims, violations, status) = SelectVictims(preemptor, node, []);

        Assert.True(status.IsSuccess);
        Assert.Equal(["p1", "p0"], victims.Select(v => v.Name()));
        Assert.Equal(0, violations);
    }

    [Fact]
    public void Select_OnANodeWithoutLowerPriorityPods_ReportsNoVictimsAsUnresolvable()
    {
        var node = Info(Node("n", cpu: "1"), Pod("same", 10), Pod("higher", 11));

        var (victims, _, status) = SelectVictims(Pod("preemptor", 10), node, []);

        Assert.Empty(victims);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal(["No preemption victims found for incoming pod"], status.Reasons);
    }

    [Fact]
    public void Select_WhenEvictingEveryLowerPriorityPodIsNotEnough_ReturnsTheFilterStatus()
    {
        var node = Info(Node("n", cpu: "2"), Pod("low", 0), Pod("high", 100));
        var preemptor = Pod("preemptor", 10, cpu: "2");

        var (victims, _, status) = SelectVictims(preemptor, node, []);

        Assert.Empty(victims);
        Assert.Equal(["Insufficient cpu"], status.Reasons);
    }

    [Fact]
    public void Select_AmongEqualPriorities_EvictsTheYoungestPodFirst()
    {
        var node = Info(Node("n", cpu: "2"), Pod("old", 0, started: Now.AddHours(-2)), Pod("young", 0, started: Now.AddMinutes(-1)));
        var preemptor = Pod("preemptor", 10);

        var (victims, _, _) = SelectVictims(preemptor, node, []);

        Assert.Equal(["young"], victims.Select(v => v.Name()));
    }

    [Fact]
    public void Select_ReprievesPodsProtectedByABudgetBeforeTheOthers()
    {
        var protectedLabels = new Dictionary<string, string> { ["app"] = "db" };
        var node = Info(Node("n", cpu: "2"), Pod("db", 0, labels: protectedLabels), Pod("batch", 5));
        var preemptor = Pod("preemptor", 10);

        var (victims, violations, _) = SelectVictims(preemptor, node, [Budget("db", 0, protectedLabels)]);

        // batch has the higher priority, but evicting db would violate its budget.
        Assert.Equal(["batch"], victims.Select(v => v.Name()));
        Assert.Equal(0, violations);
    }

    [Fact]
    public void Select_CountsTheVictimsThatViolateABudget_AndSortsAllVictimsByImportance()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var node = Info(Node("n", cpu: "3"), Pod("web-1", 1, labels: labels), Pod("web-2", 3, labels: labels), Pod("other", 2));
        var preemptor = Pod("preemptor", 10, cpu: "3");

        var (victims, violations, status) = SelectVictims(preemptor, node, [Budget("web", 1, labels)]);

        Assert.True(status.IsSuccess);
        Assert.Equal(["web-2", "other", "web-1"], victims.Select(v => v.Name()));
        Assert.Equal(1, violations);
    }

    [Fact]
    public void SplitByBudgetViolation_SpendsEachBudgetInOrder_AndSkipsPodsAlreadyDisruptedOrElsewhere()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var pods = new[]
        {
            Pod("a", 0, labels: labels), Pod("already", 0, labels: labels), Pod("b", 0, labels: labels), Pod("unlabelled", 0),
        }.Select(PodEntry.Of).ToList();
        var other = Budget("elsewhere", 0, labels);
        other.Metadata.NamespaceProperty = "other";
        var empty = Budget("empty", 0, new Dictionary<string, string>());

        var (violating, nonViolating) = VictimSelection.SplitByBudgetViolation(pods, [Budget("web", 1, labels, "already"), other, empty]);

        Assert.Equal(["b"], violating.Select(p => p.Pod.Name()));
        Assert.Equal(["a", "already", "unlabelled"], nonViolating.Select(p => p.Pod.Name()));
    }
}
