using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Runtime;

/// <summary>What real isolation shows: capabilities, seccomp, users, read-only and masked paths, namespaces, cgroups, mounts.</summary>
public sealed class RuncIsolationTests : RuntimeTestBase
{
    /// <inheritdoc />
    protected override IContainerRuntime CreateRuntime(NodePaths paths) => new RuncRuntime(paths, NullLogger<RuncRuntime>.Instance);

    [Fact]
    public async Task DefaultCapabilities_AreContainerdsSet_AndCannotMount_WhilePrivilegedCan()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("caps"), default);
        var plain = await StartAsync(sandbox.Id, Env.Container("plain", "sleep", "3600"));
        var privileged = await StartAsync(sandbox.Id, Env.Container("privileged", "sleep", "3600") with
        {
            Security = new SecurityOptions { Privileged = true },
        });
        var dropped = await StartAsync(sandbox.Id, Env.Container("dropped", "sleep", "3600") with
        {
            Security = new SecurityOptions { DropCapabilities = ["ALL"], AddCapabilities = ["NET_ADMIN"] },
        });

        Assert.Contains("CapEff:\t00000000a80425fb", (await ExecAsync(plain, "cat", "/proc/self/status")).Stdout);
        Assert.Contains("CapEff:\t0000000000001000", (await ExecAsync(dropped, "cat", "/proc/self/status")).Stdout);
        Assert.NotEqual(0, (await ExecAsync(plain, "mount", "-t", "tmpfs", "none", "/tmp")).ExitCode);
        Assert.Equal(0, (await ExecAsync(privileged, "mount", "-t", "tmpfs", "none", "/tmp")).ExitCode);
        var hostBounding = File.ReadLines("/proc/self/status").Single(line => line.StartsWith("CapBnd:", StringComparison.Ordinal));
        Assert.Contains("CapEff:" + hostBounding["CapBnd:".Length..], (await ExecAsync(privileged, "cat", "/proc/self/status")).Stdout);
    }

    [Fact]
    public async Task SeccompRuntimeDefault_RefusesMount_EvenWithSysAdmin()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("seccomp"), default);
        var open = await StartAsync(sandbox.Id, Env.Container("open", "sleep", "3600") with
        {
            Security = new SecurityOptions { AddCapabilities = ["SYS_ADMIN"] },
        });
        var confined = await StartAsync(sandbox.Id, Env.Container("confined", "sleep", "3600") with
        {
            Security = new SecurityOptions { AddCapabilities = ["SYS_ADMIN"], SeccompRuntimeDefault = true },
        });

        Assert.Equal(0, (await ExecAsync(open, "mount", "-t", "tmpfs", "none", "/tmp")).ExitCode);
        Assert.NotEqual(0, (await ExecAsync(confined, "mount", "-t", "tmpfs", "none", "/tmp")).ExitCode);
    }

    [Fact]
    public async Task Users_ComeFromRunAsUserOrTheImageUser_WithTheirGroups()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("users"), default);
        var byUid = await StartAsync(sandbox.Id, Env.Container("uid", "sleep", "3600") with
        {
            Security = new SecurityOptions { RunAsUser = 1000, SupplementalGroups = [3000] },
        });
        var byName = await StartAsync(sandbox.Id, Env.Container("name", "sleep", "3600") with
        {
            Security = new SecurityOptions { ImageUser = "app", RunAsGroup = 2000 },
        });

        Assert.Equal("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra),3000\n", (await ExecAsync(byUid, "id")).Stdout);
        Assert.Equal("uid=1000(app) gid=2000(extra) groups=2000(extra)\n", (await ExecAsync(byName, "id")).Stdout);
        Assert.Contains("CapEff:\t0000000000000000", (await ExecAsync(byUid, "cat", "/proc/self/status")).Stdout);
    }

    [Fact]
    public async Task ReadOnlyRootFilesystem_AndMaskedProcPaths_AreEnforced()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("ro"), default);
        var id = await StartAsync(sandbox.Id, Env.Container("ro", "sleep", "3600") with
        {
            Security = new SecurityOptions { ReadOnlyRootFilesystem = true },
        });

        Assert.NotEqual(0, (await ExecAsync(id, "touch", "/newfile")).ExitCode);
        Assert.Equal(0, (await ExecAsync(id, "touch", "/dev/shm/ok")).ExitCode);
        Assert.Equal("0\n", (await ExecAsync(id, "sh", "-c", "cat /proc/kcore | wc -c")).Stdout.TrimStart());
        Assert.NotEqual(0, (await ExecAsync(id, "sh", "-c", "echo 1 > /proc/sys/vm/drop_caches")).ExitCode);
        Assert.Equal("top layer\n", (await ExecAsync(id, "cat", "/layer-marker")).Stdout);
    }

    [Fact]
    public async Task ContainerResources_BecomeItsCgroupLimitsAndOomScore()
    {
        var pod = Env.Pod("limits");
        var sandbox = await Runtime.RunPodSandboxAsync(pod, default);
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600") with
        {
            Resources = new LinuxResources { CpuShares = 256, CpuQuota = 50_000, PidsLimit = 64, OomScoreAdj = 500 },
        });
        string Read(string controller, string file) =>
            File.ReadAllText(RuntimeTestEnvironment.CgroupFile(controller, pod.CgroupParent + "/" + id, file)).Trim();

        if (RuntimeTestEnvironment.UnifiedCgroups)
        {
            // runc's v2 mapping: shares 256 as weight 1 + 254 * 9999 / 262142, quota and period in cpu.max.
            Assert.Equal("10", Read("cpu", "cpu.weight"));
            Assert.Equal("50000 100000", Read("cpu", "cpu.max"));
        }
        else
        {
            Assert.Equal("256", Read("cpu", "cpu.shares"));
            Assert.Equal("50000", Read("cpu", "cpu.cfs_quota_us"));
        }

        Assert.Equal("64", Read("pids", "pids.max"));
        Assert.Equal("500\n", (await ExecAsync(id, "cat", "/proc/1/oom_score_adj")).Stdout);
    }

    [Fact]
    public async Task ContainersOfTwoSandboxes_CannotSeeEachOthersProcessesFilesOrNetwork()
    {
        var a = await Runtime.RunPodSandboxAsync(Env.Pod("pod-a"), default);
        var b = await Runtime.RunPodSandboxAsync(Env.Pod("pod-b"), default);
        var inA = await StartAsync(a.Id, Env.Container("a", "sleep", "3601"));
        var inB = await StartAsync(b.Id, Env.Container("b", "sleep", "3602"));
        var secondInA = await StartAsync(a.Id, Env.Container("a2", "sleep", "3603"));

        Assert.Equal(0, (await ExecAsync(inA, "sh", "-c", "echo secret > /tmp/a-file")).ExitCode);
        Assert.NotEqual(0, (await ExecAsync(inB, "cat", "/tmp/a-file")).ExitCode);
        Assert.DoesNotContain("3602", (await ExecAsync(inA, "ps")).Stdout);
        Assert.Equal("pod-a\n", (await ExecAsync(inA, "hostname")).Stdout);
        Assert.Equal("pod-b\n", (await ExecAsync(inB, "hostname")).Stdout);
        Assert.Equal("nameserver 127.0.0.53\n", (await ExecAsync(inB, "cat", "/etc/resolv.conf")).Stdout);
        var netA = (await ExecAsync(inA, "readlink", "/proc/self/ns/net")).Stdout;
        Assert.NotEqual(netA, (await ExecAsync(inB, "readlink", "/proc/self/ns/net")).Stdout);
        Assert.Equal(netA, (await ExecAsync(secondInA, "readlink", "/proc/self/ns/net")).Stdout);
        Assert.Equal(0, (await ExecAsync(inA, "sh", "-c", "echo shared > /dev/shm/x")).ExitCode);
        Assert.Equal("shared\n", (await ExecAsync(secondInA, "cat", "/dev/shm/x")).Stdout);
    }

    [Fact]
    public async Task HostNetworkSandbox_SharesTheHostsNetworkNamespace()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("host", hostNetwork: true), default);
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));

        Assert.Null(sandbox.NetworkNamespacePath);
        var hostNet = new FileInfo("/proc/self/ns/net").LinkTarget;
        Assert.Equal(hostNet + "\n", (await ExecAsync(id, "readlink", "/proc/self/ns/net")).Stdout);
    }

    [Fact]
    public async Task Mounts_BindHostDirectories_ReadOnlyWritableAndWithPropagation()
    {
        var volumes = Path.Combine(Env.Directory, "volumes");
        foreach (var name in new[] { "ro", "rw", "slave" })
        {
            Directory.CreateDirectory(Path.Combine(volumes, name));
            File.WriteAllText(Path.Combine(volumes, name, "seed"), name);
        }

        var id = await RunAsync(Env.Pod("volumes"), Env.Container("app", "sleep", "3600") with
        {
            Mounts =
            [
                new Mount(Path.Combine(volumes, "ro"), "/data/ro", ReadOnly: true),
                new Mount(Path.Combine(volumes, "rw"), "/data/rw"),
                new Mount(Path.Combine(volumes, "slave"), "/data/slave", Propagation: "HostToContainer"),
            ],
        });

        Assert.NotEqual(0, (await ExecAsync(id, "touch", "/data/ro/x")).ExitCode);
        Assert.Equal(0, (await ExecAsync(id, "sh", "-c", "echo written > /data/rw/out")).ExitCode);
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(volumes, "rw", "out")));
        Assert.Equal("slave", (await ExecAsync(id, "cat", "/data/slave/seed")).Stdout);
    }

    [Fact]
    public async Task HostIpcSandbox_SharesTheHostsIpcNamespace_WhileOthersHaveTheirOwn()
    {
        var host = await Runtime.RunPodSandboxAsync(Env.Pod("hostipc") with { HostIpc = true }, default);
        var own = await Runtime.RunPodSandboxAsync(Env.Pod("ownipc"), default);
        var inHost = await StartAsync(host.Id, Env.Container("app", "sleep", "3600"));
        var inOwn = await StartAsync(own.Id, Env.Container("app", "sleep", "3600"));

        Assert.Null(host.IpcNamespacePath);
        var hostIpc = new FileInfo("/proc/self/ns/ipc").LinkTarget + "\n";
        Assert.Equal(hostIpc, (await ExecAsync(inHost, "readlink", "/proc/self/ns/ipc")).Stdout);
        Assert.NotEqual(hostIpc, (await ExecAsync(inOwn, "readlink", "/proc/self/ns/ipc")).Stdout);
    }

    [Fact]
    public async Task RequestedDevices_AreCreatedAndUsable_OthersAreNot()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("devices"), default);
        var withFuse = await StartAsync(sandbox.Id, Env.Container("fuse", "sleep", "3600") with { Devices = ["/dev/fuse"] });
        var plain = await StartAsync(sandbox.Id, Env.Container("plain", "sleep", "3600"));

        Assert.StartsWith("crw-rw-rw-", (await ExecAsync(withFuse, "ls", "-l", "/dev/fuse")).Stdout);
        Assert.Equal(0, (await ExecAsync(withFuse, "sh", "-c", "exec 3<>/dev/fuse")).ExitCode);
        Assert.NotEqual(0, (await ExecAsync(plain, "ls", "/dev/fuse")).ExitCode);

        // Even a node it makes itself stays closed: the device cgroup only allows the default devices and its own.
        Assert.NotEqual(0, (await ExecAsync(plain, "sh", "-c", "mknod /tmp/fuse c 10 229 && exec 3<>/tmp/fuse")).ExitCode);
    }

    [Fact]
    public async Task HostPidSandbox_SeesTheHostsProcesses()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("hostpid") with { HostPid = true }, default);
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));

        Assert.Contains($"/proc/{Environment.ProcessId}/", (await ExecAsync(id, "ls", "-d", $"/proc/{Environment.ProcessId}/")).Stdout);
    }
}
