using Gantry.Scheduler.Preemption;
using k8s.Models;
using static Gantry.Scheduler.Tests.Preemption.PreemptionFixtures;

namespace Gantry.Scheduler.Tests.Preemption;

public sealed class CandidatePickerTests
{
    [Fact]
    public void Pick_PrefersFewestBudgetViolations_OverEverythingElse()
    {
        var violating = new Candidate("violating", [Pod("a", 0)], 1);
        var clean = new Candidate("clean", [Pod("b", 50), Pod("c", 40), Pod("d", 30)], 0);

        Assert.Equal("clean", CandidatePicker.Pick([violating, clean], Now)!.Node);
    }

    [Fact]
    public void Pick_ThenPrefersTheLowestHighestVictimPriority()
    {
        var node1 = new Candidate("n1", [Pod("a", 20)], 0);
        var node2 = new Candidate("n2", [Pod("b", 10), Pod("c", 10), Pod("d", 5)], 0);

        Assert.Equal("n2", CandidatePicker.Pick([node1, node2], Now)!.Node);
    }

    [Fact]
    public void Pick_ThenPrefersTheSmallestSumOfPriorities_CountingNegativePrioritiesFairly()
    {
        var node1 = new Candidate("n1", [Pod("a", 10), Pod("b", 10)], 0);
        var node2 = new Candidate("n2", [Pod("c", 10), Pod("d", 5)], 0);
        // Two victims at -5 must not look cheaper than one at -5.
        var negative1 = new Candidate("neg1", [Pod("e", -5), Pod("f", -5)], 0);
        var negative2 = new Candidate("neg2", [Pod("g", -5)], 0);

        Assert.Equal("n2", CandidatePicker.Pick([node1, node2], Now)!.Node);
        Assert.Equal("neg2", CandidatePicker.Pick([negative1, negative2], Now)!.Node);
    }

    [Fact]
    public void Pick_ThenPrefersFewestVictims()
    {
        var node1 = new Candidate("n1", [Pod("a", 0), Pod("b", 0)], 0);
        var node2 = new Candidate("n2", [Pod("c", 0)], 0);

        Assert.Equal("n2", CandidatePicker.Pick([node1, node2], Now)!.Node);
    }

    [Fact]
    public void Pick_ThenPrefersTheLatestStartOfTheHighestPriorityVictims()
    {
        var older = new Candidate("older", [Pod("a", 5, started: Now.AddHours(-3)), Pod("b", 1, started: Now)], 0);
        var newer = new Candidate("newer", [Pod("c", 5, started: Now.AddHours(-1)), Pod("d", 1, started: Now.AddHours(-9))], 0);

        Assert.Equal("newer", CandidatePicker.Pick([older, newer], Now)!.Node);
    }

    [Fact]
    public void Pick_OnAFullTie_TakesTheFirstCandidate_AndNoneOfNothing()
    {
        var first = new Candidate("first", [Pod("a", 0, started: Now)], 0);
        var second = new Candidate("second", [Pod("b", 0, started: Now)], 0);

        Assert.Equal("first", CandidatePicker.Pick([first, second], Now)!.Node);
        Assert.Null(CandidatePicker.Pick(Array.Empty<Candidate>(), Now));
    }
}
