using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class PodRequestsTests
{
    [Fact]
    public void EffectiveRequests_AreTheLargerOfContainersAndInitSteps_PlusOverhead()
    {
        var pod = new V1Pod
        {
            Spec = new V1PodSpec
            {
                Containers = [Container("a", "200m", "100Mi"), Container("b", "300m", "100Mi")],
                InitContainers = [Container("init", "1", "50Mi")],
                Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("10Mi") },
            },
        };

        var requests = PodRequests.Of(pod).Requested;

        Assert.Equal(1050, requests.MilliCpu);
        Assert.Equal(210L * 1024 * 1024, requests.Memory);
    }

    [Fact]
    public void Sidecars_AddToTheContainers_AndToLaterInitSteps()
    {
        var sidecar = Container("proxy", "100m", "10Mi");
        sidecar.RestartPolicy = "Always";
        var pod = new V1Pod
        {
            Spec = new V1PodSpec
            {
                Containers = [Container("app", "200m", "10Mi")],
                InitContainers = [sidecar, Container("migrate", "500m", "10Mi")],
            },
        };

        // max(app 200m + proxy 100m, proxy 100m + migrate 500m)
        Assert.Equal(600, PodRequests.Of(pod).Requested.MilliCpu);
    }

    [Fact]
    public void ContainersWithoutRequests_CountAsDefaultsOnlyForScoring()
    {
        var pod = new V1Pod { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] } };

        var requests = PodRequests.Of(pod);

        Assert.Equal(0, requests.Requested.MilliCpu);
        Assert.Equal(PodRequests.DefaultMilliCpu, requests.NonZero.MilliCpu);
        Assert.Equal(PodRequests.DefaultMemory, requests.NonZero.Memory);
    }

    private static V1Container Container(string name, string cpu, string memory) => new()
    {
        Name = name,
        Image = "i",
        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) } },
    };
}
