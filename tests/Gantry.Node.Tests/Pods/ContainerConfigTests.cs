using System.Text;
using Gantry.Node.Images;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class ContainerConfigTests
{
    [Fact]
    public async Task EnvAndCommand_AreResolvedAndExpanded_AsTheKubeletDoes()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["MODE"] = "fast", ["LEVEL"] = "3" },
        });
        await harness.Client.For<V1Secret>().CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds", NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("s3cret") },
        });
        var container = AgentHarness.Container("app", "/bin/echo", "$(GREETING)", "$$(GREETING)", "$(MISSING)");
        container.Args = ["--mode=$(CFG_MODE)"];
        container.Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("128Mi") },
        };
        container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "CFG_" }];
        container.Env =
        [
            new V1EnvVar { Name = "NAME", Value = "world" },
            new V1EnvVar { Name = "GREETING", Value = "hello $(NAME)" },
            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
            new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            new V1EnvVar { Name = "NODE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
            new V1EnvVar { Name = "CPU_LIMIT", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") } } },
            new V1EnvVar { Name = "MEM_LIMIT_MI", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } } },
            new V1EnvVar { Name = "OPTIONAL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "x", Optional = true } } },
        ];
        await harness.CreatePodAsync("env", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("env", PodLifecycleTests.IsReady, "the pod to run");
        var config = harness.Runtime.ConfigOf(harness.RunningContainer(pod, "app"));

        Assert.Equal(["/bin/echo", "hello world", "$(GREETING)", "$(MISSING)", "--mode=fast"], config.Args);
        var env = config.Env.Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        Assert.Equal("hello world", env["GREETING"]);
        Assert.Equal("s3cret", env["PASSWORD"]);
        Assert.Equal("env", env["POD_NAME"]);
        Assert.Equal(pod.Status.PodIP, env["POD_IP"]);
        Assert.Equal(AgentHarness.NodeName, env["NODE"]);
        Assert.Equal("500", env["CPU_LIMIT"]);
        Assert.Equal("128", env["MEM_LIMIT_MI"]);
        Assert.Equal("3", env["CFG_LEVEL"]);
        Assert.False(env.ContainsKey("OPTIONAL"));
        Assert.Equal("Burstable", pod.Status.QosClass);
        Assert.Equal(256, config.Resources.CpuShares);
        Assert.Equal(50_000, config.Resources.CpuQuota);
        Assert.Equal(128L << 20, config.Resources.MemoryLimitBytes);
        Assert.Equal(1000 - 1000 * (64L << 20) / (8L << 30), config.Resources.OomScoreAdj);
    }

    [Fact]
    public async Task MissingConfigMapKey_IsACreateContainerConfigError_UntilItAppears()
    {
        await using var harness = await AgentHarness.StartAsync();
        var container = AgentHarness.Container("app");
        container.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "late", Key = "x" } } }];
        await harness.CreatePodAsync("config", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("config", p => p.Status?.ContainerStatuses?.Single().State.Waiting?.Reason == "CreateContainerConfigError",
            "CreateContainerConfigError");
        Assert.Equal("configmap \"late\" not found", pod.Status.ContainerStatuses.Single().State.Waiting.Message);
        Assert.Equal("Pending", pod.Status.Phase);

        await harness.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "late", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["x"] = "1" },
        });
        await harness.WaitForPodAsync("config", PodLifecycleTests.IsReady, "the pod to run once the config map exists");
    }

    [Fact]
    public async Task RunAsNonRoot_WithARootImage_IsRefused()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Images.Configs["rooty:1"] = new ImageConfig { User = "0", Entrypoint = ["/app"] };
        var container = new V1Container { Name = "app", Image = "rooty:1", SecurityContext = new V1SecurityContext { RunAsNonRoot = true } };
        await harness.CreatePodAsync("nonroot", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("nonroot", p => p.Status?.ContainerStatuses?.Single().State.Waiting?.Reason == "CreateContainerConfigError",
            "CreateContainerConfigError");
        Assert.Equal($"container has runAsNonRoot and image will run as root (pod: \"nonroot_default({pod.Metadata.Uid})\", container: app)",
            pod.Status.ContainerStatuses.Single().State.Waiting.Message);
    }

    [Fact]
    public async Task FailingPull_ReportsErrImagePull_ThenImagePullBackOff()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Images.FailingPulls["missing:1"] = "manifest unknown";
        await harness.CreatePodAsync("pull", new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "missing:1" }] });
        var pod = await harness.WaitForPodAsync("pull", p => Waiting(p)?.Reason == "ErrImagePull", "ErrImagePull");
        Assert.Equal("manifest unknown", Waiting(pod)!.Message);
        pod = await harness.WaitForPodAsync("pull", p => Waiting(p)?.Reason == "ImagePullBackOff", "ImagePullBackOff");
        Assert.Equal("Back-off pulling image \"missing:1\"", Waiting(pod)!.Message);
        var events = await harness.EventsAsync("pull");
        Assert.Contains(events, e => e.Reason == "Pulling" && e.Message == "Pulling image \"missing:1\"");
        Assert.Contains(events, e => e.Reason == "Failed" && e.Message == "Failed to pull image \"missing:1\": manifest unknown");

        harness.Images.FailingPulls.Clear();
        await harness.WaitForPodAsync("pull", PodLifecycleTests.IsReady, "the pod to run once the image pulls");
        Assert.Contains(await harness.EventsAsync("pull"), e => e.Reason == "Pulled" && e.Message.StartsWith("Successfully pulled image \"missing:1\" in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PodAskingForMoreCpuThanAllocatable_IsRejectedWithOutOfcpu()
    {
        await using var harness = await AgentHarness.StartAsync();
        var container = AgentHarness.Container("big");
        container.Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("5") } };
        await harness.CreatePodAsync("big", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("big", p => p.Status?.Phase == "Failed", "the pod to be rejected");
        Assert.Equal("OutOfcpu", pod.Status.Reason);
        Assert.Equal("Pod was rejected: Node didn't have enough resource: cpu, requested: 5000, used: 0, capacity: 4000", pod.Status.Message);
        Assert.Equal(0, harness.Runtime.CreatedContainers);
        Assert.Contains(await harness.EventsAsync("big"), e => e.Reason == "OutOfcpu");
    }

    [Fact]
    public async Task FailingVolumeSetUp_IsAFailedMountEvent_ThenTheVolumeIsMountedWithItsSubPath()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Volumes.Failing = "MountVolume.SetUp failed for volume \"data\" : configmap \"settings\" not found";
        var container = AgentHarness.Container("app");
        container.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/var/data", SubPath = "app", ReadOnlyProperty = true }];
        await harness.CreatePodAsync("mount", new V1PodSpec
        {
            Containers = [container],
            Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }],
        });
        await Testing.Eventually.HoldsAsync(async () => (await harness.EventsAsync("mount")).Any(e => e.Reason == "FailedMount"), "the FailedMount event");
        var pod = (await harness.Client.For<V1Pod>().GetAsync("default", "mount"))!;
        Assert.Equal("ContainerCreating", Waiting(pod)?.Reason);

        harness.Volumes.Failing = null;
        pod = await harness.WaitForPodAsync("mount", PodLifecycleTests.IsReady, "the pod to run once its volume mounts");
        var mount = harness.Runtime.ConfigOf(harness.RunningContainer(pod, "app")).Mounts.Single(m => m.ContainerPath == "/var/data");
        Assert.True(mount.ReadOnly);
        Assert.EndsWith(Path.Combine(pod.Metadata.Uid, "data", "app"), mount.HostPath, StringComparison.Ordinal);
        Assert.True(Directory.Exists(mount.HostPath));
    }

    private static V1ContainerStateWaiting? Waiting(V1Pod pod) => pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting;
}
