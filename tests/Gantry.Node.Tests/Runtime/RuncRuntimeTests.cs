using System.Text;
using System.Text.RegularExpressions;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Runtime;

/// <summary>The contract against real runc and conmon, plus what only real isolation shows (run as root).</summary>
public sealed partial class RuncRuntimeTests : ContainerRuntimeContract
{
    /// <inheritdoc />
    protected override IContainerRuntime CreateRuntime(NodePaths paths) => new RuncRuntime(paths, NullLogger<RuncRuntime>.Instance);

    [Fact]
    public async Task Logs_AreWrittenInTheCriFormat_ForStdoutAndStderr()
    {
        var config = Env.Container("logger", "sh", "-c", "echo to-out; echo to-err >&2");
        var id = await RunAsync(Env.Pod("web"), config);
        await ExitedAsync(id);

        var lines = await File.ReadAllLinesAsync(config.LogPath);
        Assert.Contains(lines, line => CriLine().Match(line) is { Success: true } m && m.Groups[1].Value == "stdout" && m.Groups[2].Value == "to-out");
        Assert.Contains(lines, line => CriLine().Match(line) is { Success: true } m && m.Groups[1].Value == "stderr" && m.Groups[2].Value == "to-err");
        await Runtime.RemoveContainerAsync(id, default);
        Assert.True(File.Exists(config.LogPath), "the log outlives the container");
        Assert.True(File.Exists(Path.Combine(Env.Image.LayerDirs[0], "bin", "busybox")), "removal never follows the layer links");
        Assert.False(Directory.Exists(Path.Combine(Env.Paths.ContainersDir, id)));
    }

    [Fact]
    public async Task Stop_SendsSigtermFirst_AndSigkillAfterTheGracePeriod()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var polite = await StartAsync(sandbox.Id, Env.Container("polite", "sh", "-c", "trap 'echo got-term; exit 0' TERM; while true; do sleep 0.1; done"));
        var stubborn = await StartAsync(sandbox.Id, Env.Container("stubborn", "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"));
        var custom = await StartAsync(sandbox.Id, Env.Container("custom", "sh", "-c", "trap 'exit 0' USR1; while true; do sleep 0.1; done") with
        {
            StopSignal = "SIGUSR1",
        });
        await Task.Delay(300);

        await Runtime.StopContainerAsync(polite, TimeSpan.FromSeconds(10), default);
        await Runtime.StopContainerAsync(custom, TimeSpan.FromSeconds(10), default);
        Assert.Equal(0, (await StatusAsync(custom)).ExitCode);
        var started = DateTime.UtcNow;
        await Runtime.StopContainerAsync(stubborn, TimeSpan.FromSeconds(1), default);

        Assert.Equal(0, (await StatusAsync(polite)).ExitCode);
        Assert.Equal(137, (await StatusAsync(stubborn)).ExitCode);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task ContainerOverItsMemoryLimit_IsReportedOomKilled()
    {
        var config = Env.Container("hog", "sh", "-c", "x=1234567890; while :; do x=\"$x$x\"; done") with
        {
            Resources = new LinuxResources { MemoryLimitBytes = 20 * 1024 * 1024 },
        };
        var id = await RunAsync(Env.Pod("hog"), config);

        var status = await ExitedAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(("OOMKilled", 137), (status.Reason, status.ExitCode));
    }

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
            File.ReadAllText(Path.Combine("/sys/fs/cgroup", controller, pod.CgroupParent.TrimStart('/'), id, file)).Trim();

        Assert.Equal("256", Read("cpu", "cpu.shares"));
        Assert.Equal("50000", Read("cpu", "cpu.cfs_quota_us"));
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
    public async Task PodCgroup_GetsPodLimits_AndIsRemovedWithTheSandbox()
    {
        var config = Env.Pod("limited", resources: new LinuxResources { MemoryLimitBytes = 64 * 1024 * 1024, CpuShares = 512 });
        var sandbox = await Runtime.RunPodSandboxAsync(config, default);
        var memory = Path.Combine("/sys/fs/cgroup/memory", config.CgroupParent.TrimStart('/'));
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));

        Assert.Equal("67108864", File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim());
        Assert.Equal("512", File.ReadAllText(Path.Combine("/sys/fs/cgroup/cpu", config.CgroupParent.TrimStart('/'), "cpu.shares")).Trim());
        Assert.True(Directory.Exists(Path.Combine(memory, id)), "the container's cgroup is below the pod's");

        await Runtime.StopPodSandboxAsync(sandbox.Id, default);
        await Runtime.RemovePodSandboxAsync(sandbox.Id, default);
        Assert.False(Directory.Exists(memory));
        Assert.False(Directory.Exists(Path.Combine(Env.Paths.SandboxesDir, sandbox.Id)));
    }

    [Fact]
    public async Task ExecSync_KillsACommandThatOutlivesItsTimeout()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));
        var started = DateTime.UtcNow;

        var result = await Runtime.ExecSyncAsync(id, ["sleep", "30"], TimeSpan.FromMilliseconds(500), default);

        Assert.True(result.TimedOut);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("sleep 30", (await ExecAsync(id, "ps")).Stdout);
    }

    [Fact]
    public async Task ManyLongLayerPaths_StillMount()
    {
        var layers = new List<string>(Env.Image.LayerDirs);
        for (var i = 0; i < 60; i++)
        {
            var dir = Path.Combine(Env.Directory, "many", new string('l', 90) + i);
            Directory.CreateDirectory(dir);
            layers.Add(dir);
        }

        var config = Env.Container("layers", "cat", "/layer-marker") with { Image = Env.Image with { LayerDirs = layers } };
        var id = await RunAsync(Env.Pod("layers"), config);

        Assert.Equal(0, (await ExitedAsync(id)).ExitCode);
        Assert.Contains("stdout F top layer", await File.ReadAllTextAsync(config.LogPath));
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
    public async Task Sandbox_WithACgroupOutsideTheNodesRoot_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.RunPodSandboxAsync(Env.Pod("escape") with { CgroupParent = "/system.slice" }, default));
        await Assert.ThrowsAsync<ArgumentException>(
            () => Runtime.RunPodSandboxAsync(Env.Pod("escape") with { CgroupParent = Env.Paths.CgroupRoot + "/../../other" }, default));

        Assert.Empty(await Runtime.ListPodSandboxesAsync(default));
    }

    [Fact]
    public void WithoutRunc_TheRuntimeRefusesToStart_NamingThePackages()
    {
        var missing = Assert.Throws<InvalidOperationException>(
            () => new RuncRuntime(Env.Paths, NullLogger<RuncRuntime>.Instance, null, tool => tool == "runc" ? null : "/usr/bin/" + tool));

        Assert.Equal("runc not found: apt-get install -y runc conmon", missing.Message);
    }

    [Fact]
    public async Task HostPidSandbox_SeesTheHostsProcesses()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("hostpid") with { HostPid = true }, default);
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));

        Assert.Contains($"/proc/{Environment.ProcessId}/", (await ExecAsync(id, "ls", "-d", $"/proc/{Environment.ProcessId}/")).Stdout);
    }

    [Fact]
    public async Task SandboxWhoseNamespacesAreNoLongerPinned_IsNotReady()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("rebooted"), default);

        // What a reboot does to the bind mounts that keep the namespaces alive.
        Assert.Equal(0, await RunHostAsync("umount", sandbox.NetworkNamespacePath!));

        Assert.False(Assert.Single(await Runtime.ListPodSandboxesAsync(default)).Ready);
        await Runtime.RemovePodSandboxAsync(sandbox.Id, default);
        Assert.Empty(await Runtime.ListPodSandboxesAsync(default));
    }

    [Fact]
    public async Task CreateCutShortByAnAgentCrash_IsCleanedUpByTheNextInstance()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("crashed"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", "sleep", "3600"), default);
        var dir = Path.Combine(Env.Paths.ContainersDir, id);

        // The agent died after conmon created the container but before the record was written.
        File.Delete(Path.Combine(dir, "container.json"));
        Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow.AddMinutes(-1));
        var next = CreateRuntime(Env.Paths);

        Assert.Empty(await next.ListContainersAsync(default));
        Assert.False(Directory.Exists(dir));
        Assert.DoesNotContain(SandboxNamespaces.MountPoints(), point => point.StartsWith(dir, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Monitor_IsNeitherAChildNorInTheSessionOfTheAgent_SoItOutlivesAKill9()
    {
        var id = await RunAsync(Env.Pod("survivor"), Env.Container("app", "sleep", "3600"));
        var conmon = int.Parse(await File.ReadAllTextAsync(Path.Combine(Env.Paths.ContainersDir, id, "conmon.pid")));

        // /proc/<pid>/stat: pid (comm) state ppid pgrp session ...
        static string[] Stat(int pid) => File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Trim().Split(' ');
        var monitor = Stat(conmon);
        var agent = Stat(Environment.ProcessId);
        Assert.NotEqual(Environment.ProcessId.ToString(), monitor[1]);
        Assert.NotEqual(agent[3], monitor[3]);
        Assert.Equal("conmon", File.ReadAllText($"/proc/{conmon}/comm").Trim());
    }

    private static async Task<int> RunHostAsync(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(file, args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private async Task<string> RunAsync(PodSandboxConfig pod, ContainerConfig config)
    {
        var sandbox = await Runtime.RunPodSandboxAsync(pod, default);
        return await StartAsync(sandbox.Id, config);
    }

    private async Task<string> StartAsync(string sandboxId, ContainerConfig config)
    {
        var id = await Runtime.CreateContainerAsync(sandboxId, config, default);
        await Runtime.StartContainerAsync(id, default);
        return id;
    }

    private Task<ExecResult> ExecAsync(string id, params string[] command) =>
        Runtime.ExecSyncAsync(id, command, TimeSpan.FromSeconds(10), default);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:\d\d) (stdout|stderr) F (.*)$")]
    private static partial Regex CriLine();
}
