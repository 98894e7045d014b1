using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.NodeLifecycle.NodeLifecycleControllerTests;

namespace Gantry.Controllers.Tests.NodeLifecycle;

public sealed class DefaultTolerationSecondsTests
{
    [Fact]
    public async Task NewPod_ToleratesNotReadyAndUnreachableForFiveMinutes()
    {
        await using var cluster = await TestCluster.StartAsync();

        var pod = await PodAsync(cluster, "p", null,
            new V1Toleration { Key = "example.com/x", OperatorProperty = "Exists", Effect = "NoSchedule" });

        Assert.Equal(3, pod.Spec.Tolerations.Count);
        foreach (var key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            var toleration = pod.Spec.Tolerations.Single(t => t.Key == key);
            Assert.Equal(("Exists", "NoExecute", 300L), (toleration.OperatorProperty, toleration.Effect, toleration.TolerationSeconds));
        }
    }

    [Fact]
    public async Task PodThatAlreadyToleratesTheTaints_IsLeftAlone()
    {
        await using var cluster = await TestCluster.StartAsync();

        var everything = await PodAsync(cluster, "everything", null, new V1Toleration { OperatorProperty = "Exists" });
        var own = await PodAsync(cluster, "own", null,
            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 10 });

        Assert.Single(everything.Spec.Tolerations);
        Assert.Equal(2, own.Spec.Tolerations.Count);
        Assert.Equal(10, own.Spec.Tolerations.Single(t => t.Key == "node.kubernetes.io/unreachable").TolerationSeconds);
        Assert.Equal(300, own.Spec.Tolerations.Single(t => t.Key == "node.kubernetes.io/not-ready").TolerationSeconds);
    }
}
