using System.Globalization;
using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>Containers are isolated from the host and from each other, and deleting a pod leaves nothing behind.</summary>
[Collection(NodeCollection.Name)]
public sealed class IsolationTests(NodeCluster cluster)
{
    private const int CapSysModule = 16;
    private const int CapSysAdmin = 21;

    private Kubectl K => cluster.Kubectl;

    private async Task<string> StartSleeperAsync(string ns, string name)
    {
        await K.ApplyAsync(ns, WebDeploymentTests.SleeperPod(name));
        (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", $"pod/{name}", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        return name;
    }

    [Fact]
    public async Task Container_SeesNoHostProcessesNorAnotherPodsFiles_AndCannotMountOrLoadModules()
    {
        var ns = await K.NewNamespaceAsync("iso");
        var a = await StartSleeperAsync(ns, "a");
        var b = await StartSleeperAsync(ns, "b");

        var processes = (await K.RunAsync(["exec", "-n", ns, a, "--", "ps", "-o", "comm"])).Ok();
        // The host's gantry (server and agent), the test host (dotnet) and the container monitors stay out of sight.
        Assert.DoesNotContain("gantry", processes);
        Assert.DoesNotContain("dotnet", processes);
        Assert.DoesNotContain("conmon", processes);
        Assert.True(processes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 8, processes);

        (await K.RunAsync(["exec", "-n", ns, a, "--", "sh", "-c", "echo secret > /tmp/a-only"])).Ok();
        Assert.NotEqual(0, (await K.RunAsync(["exec", "-n", ns, b, "--", "cat", "/tmp/a-only"])).ExitCode);

        Assert.NotEqual(0, (await K.RunAsync(["exec", "-n", ns, a, "--", "mount", "-t", "tmpfs", "none", "/mnt"])).ExitCode);
        var status = (await K.RunAsync(["exec", "-n", ns, a, "--", "grep", "CapEff", "/proc/self/status"])).Ok();
        var effective = ulong.Parse(status.Split(':')[1].Trim(), NumberStyles.HexNumber);
        Assert.Equal(0UL, effective & (1UL << CapSysModule));
        Assert.Equal(0UL, effective & (1UL << CapSysAdmin));
    }

    [Fact]
    public async Task DeletingAPod_RemovesItsContainerMountsNamespacesAndCgroups()
    {
        var ns = await K.NewNamespaceAsync("gone");
        var name = await StartSleeperAsync(ns, "brief");
        var pod = await K.PodAsync(ns, name);
        var uid = (string)pod["metadata"]!["uid"]!;
        var containerId = ((string)pod.ContainerStatus()!["containerID"]!).Split("://")[1];

        (await K.RunAsync(["delete", "pod", "-n", ns, name, "--wait=true"], timeout: TimeSpan.FromMinutes(2))).Ok();

        var paths = cluster.Paths;
        await Gantry.Testing.Eventually.HoldsAsync(() => Task.FromResult(
            !File.ReadAllText("/proc/self/mounts").Contains(containerId, StringComparison.Ordinal) &&
            !File.ReadAllText("/proc/self/mounts").Contains(uid, StringComparison.Ordinal)),
            "the pod's mounts (rootfs, volumes, pinned namespaces) to be gone", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        Assert.False(Directory.Exists(Path.Combine(paths.RuncRoot, containerId)), "runc state left behind");
        var cgroups = Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(controller => controller + paths.CgroupRoot)
            .Where(Directory.Exists)
            .SelectMany(root => Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            .Where(d => d.Contains(uid, StringComparison.Ordinal) || d.Contains(containerId, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(cgroups);
    }
}
