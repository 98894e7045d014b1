using Gantry.Controllers.Endpoints;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.Endpoints;

public sealed class TriggerTimeTrackerTests
{
    private static readonly DateTime Created = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static V1Service Service() => new() { Metadata = new V1ObjectMeta { Name = "web", CreationTimestamp = Created } };

    private static V1Pod Pod(string name, DateTime readySince) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = readySince }] },
    };

    [Fact]
    public void TheFirstSync_UsesTheServiceCreation_ThenTheEarliestNewPodTransition_AndNothingWhenNothingChanged()
    {
        var tracker = new TriggerTimeTracker();
        var a = Pod("a", Created.AddSeconds(5));

        Assert.Equal(Created, tracker.Compute("default/web", Service(), [a]));
        Assert.Null(tracker.Compute("default/web", Service(), [a]));
        Assert.Equal(Created.AddSeconds(7), tracker.Compute("default/web", Service(), [a, Pod("b", Created.AddSeconds(9)), Pod("c", Created.AddSeconds(7))]));
        Assert.Equal(Created.AddSeconds(20), tracker.Compute("default/web", Service(), [Pod("a", Created.AddSeconds(20))]));
    }

    [Fact]
    public void TimesAreWrittenAsRfc3339NanoInUtc()
    {
        Assert.Equal("2026-01-01T00:00:05Z", EndpointRules.FormatTime(Created.AddSeconds(5)));
        Assert.Equal("2026-01-01T00:00:05.25Z", EndpointRules.FormatTime(Created.AddSeconds(5.25)));
    }
}
