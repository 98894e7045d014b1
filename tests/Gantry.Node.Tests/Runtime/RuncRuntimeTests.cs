using System.Text;
using System.Text.RegularExpressions;
using Gantry.Node.Runtime;
using Gantry.Testing;
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
    public async Task PodCgroup_GetsPodLimits_AndIsRemovedWithTheSandbox()
    {
        var config = Env.Pod("limited", resources: new LinuxResources { MemoryLimitBytes = 64 * 1024 * 1024, CpuShares = 512 });
        var sandbox = await Runtime.RunPodSandboxAsync(config, default);
        var memory = Path.GetDirectoryName(RuntimeTestEnvironment.CgroupFile("memory", config.CgroupParent, "cgroup.procs"))!;
        var id = await StartAsync(sandbox.Id, Env.Container("app", "sleep", "3600"));
        string Read(string controller, string file) => File.ReadAllText(RuntimeTestEnvironment.CgroupFile(controller, config.CgroupParent, file)).Trim();

        var unified = RuntimeTestEnvironment.UnifiedCgroups;
        Assert.Equal("67108864", Read("memory", unified ? "memory.max" : "memory.limit_in_bytes"));
        Assert.Equal(unified ? "20" : "512", Read("cpu", unified ? "cpu.weight" : "cpu.shares"));
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
    public async Task LayerPathsWithOverlaySeparators_StillMount()
    {
        var odd = Path.Combine(Env.Directory, "odd,layer:name");
        Directory.CreateDirectory(odd);
        await File.WriteAllTextAsync(Path.Combine(odd, "odd-marker"), "odd layer\n");

        var config = Env.Container("odd", "cat", "/odd-marker", "/layer-marker") with
        {
            Image = Env.Image with { LayerDirs = [.. Env.Image.LayerDirs, odd] },
        };
        var id = await RunAsync(Env.Pod("odd"), config);

        Assert.Equal(0, (await ExitedAsync(id)).ExitCode);
        var log = await File.ReadAllTextAsync(config.LogPath);
        Assert.Contains("stdout F odd layer", log);
        Assert.Contains("stdout F top layer", log);
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
        Assert.DoesNotContain(Gantry.Node.Volumes.HostMounts.MountPoints(), point => point.StartsWith(dir, StringComparison.Ordinal));
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

    [Fact]
    public async Task Create_WhoseProcessCannotBeFound_FailsWithRuncsReason_AndLeavesNothing()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", "/no/such/program"), default));

        Assert.Contains("runc create failed", failed.Message);
        Assert.Contains("/no/such/program", failed.Message);
        Assert.Empty(await Runtime.ListContainersAsync(default));
        Assert.Empty(Directory.GetDirectories(Env.Paths.ContainersDir));
    }

    [Fact]
    public async Task Start_ReleasesTheCreatedProcess_AndRuncItselfThenSeesItRunning()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", "sleep", "3600"), default);
        Assert.Equal("created", await RuncStatusAsync(id));

        await Runtime.StartContainerAsync(id, default);

        Assert.Equal("running", await RuncStatusAsync(id));
        Assert.Equal(ContainerState.Running, (await StatusAsync(id)).State);
        // Released means the init is exec'ing the process (its end of the FIFO closes on exec): it shows up as such.
        await Eventually.HoldsAsync(async () => (await ExecAsync(id, "ps")).Stdout.Contains("sleep 3600"), "the process to run", TimeSpan.FromSeconds(10));
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.StartContainerAsync(id, default));
        Assert.Contains("already running", again.Message);
    }

    [Fact]
    public async Task Listing_WhileContainersStart_NeverSeesAHalfWrittenStartTime()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("busy"), default);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) ids.Add(await Runtime.CreateContainerAsync(sandbox.Id, Env.Container($"app{i}", "sleep", "3600"), default));
        using var stop = new CancellationTokenSource();
        var listings = 0;
        var lister = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Runtime.ListContainersAsync(default);
                listings++;
            }
        });

        await Task.WhenAll(ids.Select(id => Runtime.StartContainerAsync(id, default)));
        await stop.CancelAsync();
        await lister;

        Assert.True(listings > 0);
        Assert.All(await Runtime.ListContainersAsync(default), status => Assert.NotNull(status.StartedAt));
    }

    [Fact]
    public async Task Start_OfACreatedContainerWhoseProcessWasKilled_Fails()
    {
        var (id, init) = await CreateSleeperAsync();

        Assert.Equal(0, NativeMethods.Kill(init, 9));
        await Eventually.HoldsAsync(() => Task.FromResult(!IsRunnable(init)), "the killed init to die", TimeSpan.FromSeconds(10));

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.StartContainerAsync(id, default));
        Assert.Contains("stopped", failed.Message);
        Assert.Equal(ContainerState.Exited, (await ExitedAsync(id)).State);
    }

    [Fact]
    public async Task Start_WhoseProcessDiesWhileItWaits_FailsInsteadOfHanging()
    {
        var (id, init) = await CreateSleeperAsync();

        // A stopped init cannot take the release; killed while the start waits, it never will.
        Assert.Equal(0, NativeMethods.Kill(init, 19));
        var start = Runtime.StartContainerAsync(id, default);
        await Task.Delay(250);
        Assert.False(start.IsCompleted, "the start waits for the stopped process");
        Assert.Equal(0, NativeMethods.Kill(init, 9));

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => start.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("dead", failed.Message);
        Assert.Equal(ContainerState.Exited, (await ExitedAsync(id)).State);
    }

    private async Task<string> RuncStatusAsync(string id)
    {
        var info = new System.Diagnostics.ProcessStartInfo("runc", ["--root", Env.Paths.RuncRoot, "state", id]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("status").GetString()!;
    }

    // A created (not started) sleeper and its init's pid, which conmon writes (its -p file) once runc create returned.
    private async Task<(string Id, int Init)> CreateSleeperAsync()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", "sleep", "3600"), default);
        return (id, int.Parse(await File.ReadAllTextAsync(Path.Combine(Env.Paths.ContainersDir, id, "pid"))));
    }

    // Neither gone nor a zombie: /proc/<pid>/stat's state field after the parenthesized command.
    private static bool IsRunnable(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim()[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    private static async Task<int> RunHostAsync(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(file, args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:\d\d) (stdout|stderr) F (.*)$")]
    private static partial Regex CriLine();
}
