using k8s.Models;

namespace Gantry.Node.Tests.Pods;

/// <summary>
/// A new sandbox is made while the pod's volumes are set up, and its CNI ADD runs while its first container is created:
/// what the pod shows must not change.
/// </summary>
public sealed class SandboxNetworkTests
{
    private static readonly TimeSpan SlowAdd = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task FailedNetwork_AfterTheContainerWasCreated_RemovesTheSandbox_AndRecordsOnlyTheSandboxFailure()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Network.SetUpDelay = SlowAdd;
        harness.Network.SetUpFailure = "plugin type=\"bridge\" failed (add): no more addresses";
        await PullAsync(harness);
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [AgentHarness.Container("web")] });
        await Testing.Eventually.HoldsAsync(async () => Occurrences(await harness.EventsAsync("web"), "FailedCreatePodSandBox") >= 2,
            "two failed sandboxes", TimeSpan.FromSeconds(15));
        var failing = await harness.Client.For<V1Pod>().GetAsync("default", "web");
        // The container was created while the ADD ran, and went with its sandbox.
        Assert.True(harness.Runtime.CreatedContainers >= 2, $"{harness.Runtime.CreatedContainers} containers created");

        harness.Network.SetUpFailure = null;
        var pod = await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running", "the pod to run once the network works");

        Assert.True(string.IsNullOrEmpty(failing!.Status?.PodIP), $"pod IP {failing.Status?.PodIP} while the network failed");
        Assert.Equal("ContainerCreating", failing.Status?.ContainerStatuses?.Single().State.Waiting?.Reason);
        Assert.Single(await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None));
        Assert.Single(await harness.Runtime.ListContainersAsync(CancellationToken.None));
        var events = await harness.EventsAsync("web");
        var failure = events.First(e => e.Reason == "FailedCreatePodSandBox");
        Assert.Equal("Failed to create pod sandbox: plugin type=\"bridge\" failed (add): no more addresses", failure.Message);
        // As the kubelet, which never gets to the containers of a sandbox that failed: one Pulled, Created and Started.
        Assert.Equal((1, 1, 1), (Occurrences(events, "Pulled"), Occurrences(events, "Created"), Occurrences(events, "Started")));
        Assert.StartsWith("10.88.0.", pod.Status.PodIP);
    }

    [Fact]
    public async Task FailedVolumes_RemoveTheSandboxMadeBesideThem_AndGoFirstAtTheRetries()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Network.SetUpDelay = SlowAdd;
        harness.Volumes.Failing = "secret \"db\" not found";
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [AgentHarness.Container("web")] });
        await Testing.Eventually.HoldsAsync(async () => Occurrences(await harness.EventsAsync("web"), "FailedMount") >= 3, "three failed mounts");

        Assert.Empty(await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None));
        Assert.Empty(harness.Network.Connected);
        Assert.Equal(1, harness.Network.SetUps);
        Assert.DoesNotContain(await harness.EventsAsync("web"), e => e.Reason == "FailedCreatePodSandBox");
        harness.Volumes.Failing = null;
        var pod = await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running", "the pod to run once its volumes mount");
        Assert.StartsWith("10.88.0.", pod.Status.PodIP);
        Assert.Single(await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task HostsFile_OfANewSandbox_NamesThePodAddress_OnceTheContainerRuns()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Network.SetUpDelay = SlowAdd;
        await PullAsync(harness);
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [AgentHarness.Container("web")] });
        var pod = await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running", "the pod to run");

        var hosts = harness.Runtime.ConfigOf(harness.RunningContainer(pod, "web")).Mounts.Single(m => m.ContainerPath == "/etc/hosts").HostPath;
        Assert.Contains($"\n{pod.Status.PodIP}\tweb\n", await File.ReadAllTextAsync(hosts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodIpInTheEnvironment_IsTheAddressOfTheNewSandbox()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Network.SetUpDelay = SlowAdd;
        await PullAsync(harness);
        var container = AgentHarness.Container("web");
        container.Env = [new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } }];
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running", "the pod to run");

        Assert.StartsWith("10.88.0.", pod.Status.PodIP);
        Assert.Contains("POD_IP=" + pod.Status.PodIP, harness.Runtime.ConfigOf(harness.RunningContainer(pod, "web")).Env);
    }

    // The image is on the node (else the network is waited for before the pull, whose events must not be held back).
    [Fact]
    public async Task FirstPod_WaitsForTheNodesClusterDns_BeforeItsContainersAreCreated()
    {
        var dns = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        await using var harness = await AgentHarness.StartAsync(o => o with
        {
            EnsureClusterDns = cancellationToken =>
            {
                Interlocked.Increment(ref asked);
                return dns.Task.WaitAsync(cancellationToken);
            },
        });
        await PullAsync(harness);
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [AgentHarness.Container("web")] });
        await Testing.Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref asked) > 0), "the pod to ask for the cluster DNS");
        await Task.Delay(SlowAdd);
        Assert.Equal(0, harness.Runtime.CreatedContainers);

        dns.SetResult();
        await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running", "the pod to run once the DNS answers");
    }

    private static Task PullAsync(AgentHarness harness) => harness.Images.EnsureImageAsync("busybox:1.36", "IfNotPresent", [], CancellationToken.None);

    private static int Occurrences(IEnumerable<Corev1Event> events, string reason) => events.Where(e => e.Reason == reason).Sum(e => e.Count ?? 1);
}
