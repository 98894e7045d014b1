using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Runtime;

/// <summary>
/// The real container engine, shaped like CRI-O with runc: sandboxes are pinned namespaces (no infra container),
/// containers are OCI bundles on an overlay rootfs run by runc under conmon, which outlives the agent. All state is on
/// disk under <see cref="NodePaths"/> (records, runc's --root, conmon's exit and OOM files), so a new instance over the
/// same paths adopts every sandbox and container, and two instances over different paths never see each other's.
/// </summary>
public sealed class RuncRuntime : IContainerRuntime
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);
    private readonly NodePaths paths;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly RuntimeStore store;
    private readonly RuncClient runc;
    private readonly ConmonMonitor monitor;
    private readonly PodCgroups cgroups;
    private readonly DateTimeOffset createdAt;
    private int orphansRemoved;

    /// <summary>An engine for the node whose state lives under <paramref name="paths"/>; throws when runc or conmon is missing.</summary>
    public RuncRuntime(NodePaths paths, ILogger<RuncRuntime> logger, TimeProvider? timeProvider = null)
        : this(paths, logger, timeProvider, HostCommand.FindTool)
    {
    }

    /// <summary>As the public constructor, with the lookup of host tools replaceable (tests of a machine without them).</summary>
    internal RuncRuntime(NodePaths paths, ILogger<RuncRuntime> logger, TimeProvider? timeProvider, Func<string, string?> findTool)
    {
        this.paths = paths;
        this.logger = logger;
        time = timeProvider ?? TimeProvider.System;
        var runcPath = findTool("runc") ?? throw new InvalidOperationException("runc not found: apt-get install -y runc conmon");
        var conmonPath = findTool("conmon") ?? throw new InvalidOperationException("conmon not found: apt-get install -y runc conmon");
        cgroups = PodCgroups.Detect(PodCgroups.MountRoot, time);
        Directory.CreateDirectory(paths.SandboxesDir);
        Directory.CreateDirectory(paths.ContainersDir);
        Directory.CreateDirectory(paths.RuncRoot);
        store = new RuntimeStore(paths);
        runc = new RuncClient(runcPath, paths.RuncRoot);
        monitor = new ConmonMonitor(conmonPath, runc);
        createdAt = time.GetUtcNow();
    }

    /// <inheritdoc />
    public async Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        PodCgroups.EnsureUnder(paths.CgroupRoot, config.CgroupParent);
        var id = NewId();
        var dir = store.SandboxDirectory(id);
        Directory.CreateDirectory(dir);
        try
        {
            var record = await SandboxNamespaces.CreateAsync(id, dir, config, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            cgroups.Create(config.CgroupParent, config.Resources);
            store.Save(record);
            RuncRuntimeLog.SandboxCreated(logger, id, config.PodNamespace, config.PodName);
            return record.ToPodSandbox(Volumes.HostMounts.MountPoints());
        }
        catch
        {
            await CleanupAsync("sandbox", id, () => SandboxNamespaces.DestroyAsync(dir, config.CgroupParent, cgroups, CancellationToken.None))
                .ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StopPodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var record = RuntimeStore.IsValidId(sandboxId) ? store.FindSandbox(sandboxId) : null;
        if (record is null)
        {
            return;
        }

        await KillContainersAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        store.Save(record with { Stopped = true });
    }

    /// <inheritdoc />
    public async Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var record = RuntimeStore.IsValidId(sandboxId) ? store.FindSandbox(sandboxId) : null;
        if (record is null)
        {
            return;
        }

        await KillContainersAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        foreach (var container in store.Containers().Where(container => container.SandboxId == sandboxId))
        {
            await RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }

        await SandboxNamespaces.DestroyAsync(store.SandboxDirectory(sandboxId), record.Config.CgroupParent, cgroups, cancellationToken)
            .ConfigureAwait(false);
        RuncRuntimeLog.SandboxRemoved(logger, sandboxId);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(CancellationToken cancellationToken)
    {
        await RemoveOrphansAsync(cancellationToken).ConfigureAwait(false);
        var mountPoints = Volumes.HostMounts.MountPoints();
        return store.Sandboxes().Select(record => record.ToPodSandbox(mountPoints)).ToList();
    }

    /// <inheritdoc />
    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken)
    {
        var sandbox = store.FindSandbox(sandboxId) ?? throw new KeyNotFoundException($"sandbox {sandboxId} not found");
        if (sandbox.Stopped)
        {
            throw new InvalidOperationException($"sandbox {sandboxId} is stopped");
        }

        var id = NewId();
        var dir = store.ContainerDirectory(id);
        Directory.CreateDirectory(dir);
        try
        {
            var rootfs = await OverlayRootfs.MountAsync(dir, config.Image.LayerDirs, cancellationToken).ConfigureAwait(false);
            var user = UserResolver.Resolve(rootfs, config.Security);
            var devices = config.Security.Privileged
                ? await HostDevices.AllAsync(cancellationToken).ConfigureAwait(false)
                : await HostDevices.DescribeAsync(config.Devices, cancellationToken).ConfigureAwait(false);
            var cgroupsPath = sandbox.Config.CgroupParent.TrimEnd('/') + "/" + id;
            var spec = OciSpecBuilder.Build(
                new OciSpecBuilder.Input(config, sandbox, user, devices, cgroupsPath, cgroups.AccountsSwap(sandbox.Config.CgroupParent)));
            await File.WriteAllTextAsync(Path.Combine(dir, "config.json"), spec.ToJsonString(), cancellationToken).ConfigureAwait(false);

            var pod = sandbox.Config;
            await monitor.CreateAsync(
                new ConmonMonitor.Options(
                    id, $"k8s_{config.Name}_{pod.PodName}_{pod.PodNamespace}_{pod.PodUid}_{config.Attempt}", dir, config.LogPath,
                    config.Tty, config.Stdin, config.StdinOnce),
                cancellationToken).ConfigureAwait(false);

            store.Save(new ContainerRecord
            {
                Id = id,
                SandboxId = sandboxId,
                Name = config.Name,
                Attempt = config.Attempt,
                Image = config.Image.RepoTags.FirstOrDefault() ?? config.Image.Id,
                ImageId = config.Image.Id,
                CreatedAt = time.GetUtcNow(),
                LogPath = config.LogPath,
                StopSignal = string.IsNullOrEmpty(config.StopSignal) ? "SIGTERM" : config.StopSignal,
                Tty = config.Tty,
                CgroupsPath = cgroupsPath,
                Labels = config.Labels,
                Annotations = config.Annotations,
            });
            RuncRuntimeLog.ContainerCreated(logger, id, config.Name, sandboxId);
            return id;
        }
        catch
        {
            await CleanupAsync("container", id, async () =>
            {
                await runc.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
                OverlayRootfs.DeleteContainerDirectory(dir);
            }).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        _ = Find(containerId);

        // Recorded first, so an agent that dies right after runc start still knows when the container started; renamed
        // into place, so a listing of other pods' syncs meanwhile never reads it half written.
        var started = Path.Combine(store.ContainerDirectory(containerId), "started");
        await File.WriteAllTextAsync(started + ".tmp", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), cancellationToken)
            .ConfigureAwait(false);
        File.Move(started + ".tmp", started, overwrite: true);
        try
        {
            await runc.StartAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(started);
            throw;
        }

        RuncRuntimeLog.ContainerStarted(logger, containerId);
    }

    /// <inheritdoc />
    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var record = Find(containerId);
        var dir = store.ContainerDirectory(containerId);
        if (await HasExitedAsync(containerId, dir, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (gracePeriod > TimeSpan.Zero)
        {
            await runc.KillAsync(containerId, record.StopSignal, all: false, cancellationToken).ConfigureAwait(false);
            if (await WaitForExitAsync(containerId, dir, gracePeriod, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            RuncRuntimeLog.StopGraceExpired(logger, containerId, gracePeriod, record.StopSignal);
        }

        await runc.KillAsync(containerId, "KILL", all: true, cancellationToken).ConfigureAwait(false);
        if (!await WaitForExitAsync(containerId, dir, ExitWait, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"container {containerId} did not exit after SIGKILL");
        }
    }

    /// <inheritdoc />
    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        if (!RuntimeStore.IsValidId(containerId))
        {
            return;
        }

        var dir = store.ContainerDirectory(containerId);
        if (!Directory.Exists(dir))
        {
            return;
        }

        if (store.FindContainer(containerId) is not null)
        {
            // CRI: removing a running container removes it forcibly.
            await StopContainerAsync(containerId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        await runc.DeleteAsync(containerId, cancellationToken).ConfigureAwait(false);
        OverlayRootfs.DeleteContainerDirectory(dir);
        RuncRuntimeLog.ContainerRemoved(logger, containerId);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(CancellationToken cancellationToken)
    {
        await RemoveOrphansAsync(cancellationToken).ConfigureAwait(false);
        var states = await runc.ListAsync(cancellationToken).ConfigureAwait(false);
        return store.Containers()
            .Select(record => ContainerStatusReader.Read(
                record, store.ContainerDirectory(record.Id), states.GetValueOrDefault(record.Id), cgroups))
            .ToList();
    }

    /// <inheritdoc />
    public async Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken)
    {
        var record = Find(containerId);
        await EnsureRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
        await ConmonMonitor.ReopenLogAsync(store.ContainerDirectory(containerId), record.LogPath, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ExecResult> ExecSyncAsync(
        string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await EnsureRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
        return await RuncExec.RunSyncAsync(runc, containerId, store.ContainerDirectory(containerId), command, timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IStreamingProcess> ExecAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken)
    {
        await EnsureRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
        return RuncExec.Start(runc, containerId, store.ContainerDirectory(containerId), request);
    }

    /// <inheritdoc />
    public async Task<IStreamingProcess> AttachAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken)
    {
        var record = Find(containerId);
        await EnsureRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
        return await AttachSession.ConnectAsync(store.ContainerDirectory(containerId), containerId, record.Tty, request, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Stream> PortForwardAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var sandbox = store.FindSandbox(sandboxId) ?? throw new KeyNotFoundException($"sandbox {sandboxId} not found");
        return NetnsDialer.ConnectAsync(sandbox.NetworkNamespacePath, port, cancellationToken);
    }

    private ContainerRecord Find(string containerId) =>
        store.FindContainer(containerId) ?? throw new KeyNotFoundException($"container {containerId} not found");

    private async Task EnsureRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        _ = Find(containerId);
        var state = await runc.StateAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (state?.Status != "running")
        {
            throw new InvalidOperationException($"container {containerId} is not running");
        }
    }

    private async Task<bool> HasExitedAsync(string containerId, string dir, CancellationToken cancellationToken)
    {
        if (ConmonMonitor.ReadExit(dir, containerId) is not null)
        {
            return true;
        }

        var state = await runc.StateAsync(containerId, cancellationToken).ConfigureAwait(false);
        return state is null || (state.Status == "stopped" && !ConmonMonitor.IsAlive(dir));
    }

    private async Task<bool> WaitForExitAsync(string containerId, string dir, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            if (await HasExitedAsync(containerId, dir, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task KillContainersAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var containers = store.Containers().Where(container => container.SandboxId == sandboxId);
        await Task.WhenAll(containers.Select(container => StopContainerAsync(container.Id, TimeSpan.Zero, cancellationToken)))
            .ConfigureAwait(false);
    }

    private async Task RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        // An agent killed in the middle of a create leaves a directory without its record (and maybe a runc container
        // and its conmon): nobody can ever name it again, so the first listing of a new instance removes it. Directories
        // written since this instance started may be creates in flight and are left alone.
        if (Interlocked.Exchange(ref orphansRemoved, 1) == 1)
        {
            return;
        }

        foreach (var dir in Orphans(paths.ContainersDir, "container.json"))
        {
            await CleanupAsync("container", Path.GetFileName(dir), async () =>
            {
                await runc.DeleteAsync(Path.GetFileName(dir), cancellationToken).ConfigureAwait(false);
                OverlayRootfs.DeleteContainerDirectory(dir);
            }).ConfigureAwait(false);
        }

        foreach (var dir in Orphans(paths.SandboxesDir, "sandbox.json"))
        {
            await CleanupAsync("sandbox", Path.GetFileName(dir), () =>
            {
                SandboxNamespaces.Unmount(dir);
                Directory.Delete(dir, recursive: true);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }
    }

    private List<string> Orphans(string parent, string recordFile) =>
        Directory.EnumerateDirectories(parent)
            .Where(dir => !File.Exists(Path.Combine(dir, recordFile)) && Directory.GetLastWriteTimeUtc(dir) < createdAt.UtcDateTime)
            .ToList();

    private async Task CleanupAsync(string what, string id, Func<Task> cleanup)
    {
        try
        {
            await cleanup().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or JsonException)
        {
            RuncRuntimeLog.CleanupFailed(logger, e, what, id);
        }
    }

    private static string NewId() => RandomNumberGenerator.GetHexString(64, lowercase: true);
}
