using System.Diagnostics;
using Gantry.Client;
using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests.Preemption;

public sealed class PreemptionClusterTests
{
    private const string Kubectl = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

    [Fact]
    public async Task HighPriorityPod_OnAFullNode_PreemptsTheLowPriorityPod_AndLandsWhenItIsGone()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("only", cpu: "1");
        await cluster.CreatePriorityClassAsync("high", 1000);
        var low = await cluster.CreatePodAsync(TestCluster.Pod("low", cpu: "800m"));
        Assert.Equal("only", await cluster.WaitForNodeAsync(low));

        var high = await cluster.CreatePodAsync(WithClass(TestCluster.Pod("high", cpu: "800m"), "high"));
        Assert.Equal(1000, high.Spec.Priority);
        Assert.Equal("PreemptLowerPriority", high.Spec.PreemptionPolicy);

        // The victim is marked and deleted with its grace period; the preemptor is nominated and waits for the room.
        await TestCluster.EventuallyAsync(async () =>
        {
            var victim = await Pods(cluster).GetAsync("default", "low");
            return victim?.Metadata.DeletionTimestamp is not null && victim.Status?.Conditions?.Any(c => c is
                { Type: "DisruptionTarget", Status: "True", Reason: "PreemptionByScheduler", Message: "default-scheduler: preempting to accommodate a higher priority pod" }) == true;
        }, "the victim to be terminating with a DisruptionTarget condition");
        await TestCluster.EventuallyAsync(async () => (await Pods(cluster).GetAsync("default", "high"))?.Status?.NominatedNodeName == "only",
            "the preemptor to be nominated to the node");
        Assert.True(string.IsNullOrEmpty((await Pods(cluster).GetAsync("default", "high"))!.Spec.NodeName));
        var wide = await RunKubectlAsync(cluster, "get", "pod", "high", "-o", "wide", "--no-headers");
        Assert.Equal(["high", "0/1", "Pending", "0", "<none>", "<none>", "only", "<none>"], wide.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i != 4));

        // The node agent would finish the deletion once the containers stopped.
        await Pods(cluster).DeleteAsync("default", "low", new DeleteOptions { GracePeriodSeconds = 0 });

        Assert.Equal("only", await cluster.WaitForNodeAsync(high, TimeSpan.FromSeconds(10)));
        var preempted = Assert.Single(await cluster.EventsAsync(low), e => e.Reason == "Preempted");
        Assert.Equal("Normal", preempted.Type);
        Assert.Equal($"Preempted by pod {high.Metadata.Uid} on node only", preempted.Message);
        Assert.Contains(await cluster.EventsAsync(high), e => e.Reason == "FailedScheduling" && e.Message == "0/1 nodes are available: 1 Insufficient cpu.");
        var table = await RunKubectlAsync(cluster, "get", "events", "-n", "default");
        Assert.Contains(table.Split('\n'), line => line.Contains("Normal", StringComparison.Ordinal) && line.Contains("Preempted", StringComparison.Ordinal) &&
            line.Contains("pod/low", StringComparison.Ordinal) && line.EndsWith($"Preempted by pod {high.Metadata.Uid} on node only", StringComparison.Ordinal));
        Assert.Contains("Successfully assigned default/high to only", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodWithPreemptionPolicyNever_DoesNotPreempt()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("only", cpu: "1");
        await cluster.CreatePriorityClassAsync("polite", 1000, preemptionPolicy: "Never");
        var low = await cluster.CreatePodAsync(TestCluster.Pod("low", cpu: "800m"));
        Assert.Equal("only", await cluster.WaitForNodeAsync(low));

        var polite = await cluster.CreatePodAsync(WithClass(TestCluster.Pod("polite", cpu: "800m"), "polite"));

        Assert.Equal("Never", polite.Spec.PreemptionPolicy);
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(polite)).Any(e => e.Reason == "FailedScheduling" &&
            e.Message == "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."), "the FailedScheduling event");
        var victim = await Pods(cluster).GetAsync("default", "low");
        Assert.Null(victim!.Metadata.DeletionTimestamp);
        Assert.DoesNotContain(await cluster.EventsAsync(low), e => e.Reason == "Preempted");
    }

    [Fact]
    public async Task RoomFreedForANominatedPod_IsNotTakenByALowerPriorityPod()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("only", cpu: "1");
        await cluster.CreatePriorityClassAsync("high", 1000);
        await cluster.CreatePriorityClassAsync("mid", 500);
        var lowPod = TestCluster.Pod("low", cpu: "800m");
        lowPod.Spec.TerminationGracePeriodSeconds = 0;
        var low = await cluster.CreatePodAsync(lowPod);
        Assert.Equal("only", await cluster.WaitForNodeAsync(low));

        var high = await cluster.CreatePodAsync(WithClass(TestCluster.Pod("high", cpu: "800m"), "high"));
        await TestCluster.EventuallyAsync(async () => await Pods(cluster).GetAsync("default", "low") is null, "the victim to be deleted");
        // The preemptor now sits out its backoff: a mid-priority pod arriving meanwhile must leave the room to it.
        var mid = await cluster.CreatePodAsync(WithClass(TestCluster.Pod("mid", cpu: "800m"), "mid"));

        Assert.Equal("only", await cluster.WaitForNodeAsync(high, TimeSpan.FromSeconds(10)));
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(mid)).Any(e => e.Reason == "FailedScheduling"), "mid's FailedScheduling event");
        Assert.True(string.IsNullOrEmpty((await Pods(cluster).GetAsync("default", "mid"))!.Spec.NodeName));
    }

    private static IResourceClient<V1Pod> Pods(TestCluster cluster) => cluster.Client.For<V1Pod>();

    private static V1Pod WithClass(V1Pod pod, string priorityClass)
    {
        pod.Spec.PriorityClassName = priorityClass;
        return pod;
    }

    private static async Task<string> RunKubectlAsync(TestCluster cluster, params string[] args)
    {
        Assert.True(File.Exists(Kubectl), $"{Kubectl} is missing (scripts/install-packages installs it)");
        var start = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(cluster.Kubeconfig);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {await error}");
        return await output;
    }
}
