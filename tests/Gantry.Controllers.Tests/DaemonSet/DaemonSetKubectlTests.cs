using Gantry.Controllers.Tests.Harness;
using Gantry.Controllers.Tests.History;
using k8s.Models;
using Xunit;
using static Gantry.Controllers.Tests.DaemonSet.DaemonSetTestKit;

namespace Gantry.Controllers.Tests.DaemonSet;

public sealed class DaemonSetKubectlTests
{
    [Fact]
    public async Task KubectlRolloutStatusHistoryAndUndo_WorkOffTheStatusAndRevisions()
    {
        if (!Kubectl.Available) return;
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        await NodeAsync(cluster, "node-a");
        await NodeAsync(cluster, "node-b");
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await ChangeSetAsync(cluster, ds => ds.Spec.Template.Spec.Containers[0].Image = "agent:2");

        var status = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "daemonset/agent", "-n", Ns, "--timeout=20s");
        Assert.True(status.Code == 0, status.Err);
        Assert.Contains("daemon set \"agent\" successfully rolled out", status.Out);
        Assert.All(await PodsAsync(cluster), p => Assert.Equal("agent:2", p.Spec.Containers[0].Image));

        var history = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "history", "daemonset/agent", "-n", Ns);
        Assert.True(history.Code == 0, history.Err);
        Assert.Matches(@"(?m)^1\s+<none>", history.Out);
        Assert.Matches(@"(?m)^2\s+<none>", history.Out);

        var undo = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "undo", "daemonset/agent", "-n", Ns, "--to-revision=1");
        Assert.True(undo.Code == 0, undo.Err);
        Assert.Contains("daemonset.apps/agent rolled back", undo.Out);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)) is { Count: 2 } pods && pods.All(p => p.Spec.Containers[0].Image == "agent:1"),
            "pods back on agent:1");

        var again = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "undo", "daemonset/agent", "-n", Ns, "--to-revision=3");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("skipped rollback (current template already matches revision 3)", again.Out);
    }
}
