namespace Gantry.Node.Runtime;

/// <summary>
/// A sandbox without an infra container: its network, IPC and UTS namespaces are created by util-linux unshare and kept
/// alive by bind-mounting them onto files (as `ip netns` does), its /dev/shm is a tmpfs of its own, and its resolv.conf,
/// hosts and hostname are files every container bind-mounts.
/// </summary>
internal static class SandboxNamespaces
{
    private const string ShmOptions = "mode=1777,size=65536k";

    /// <summary>Creates the namespaces and files of sandbox <paramref name="id"/> in <paramref name="directory"/>.</summary>
    public static async Task<SandboxRecord> CreateAsync(
        string id, string directory, PodSandboxConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nsDir = Path.Combine(directory, "ns");
        Directory.CreateDirectory(nsDir);

        // nsfs files may only be bind-mounted onto a private mount: make the ns directory one of its own.
        NativeMethods.Mount(nsDir, nsDir, null, NativeMethods.MsBind);
        NativeMethods.Mount(null, nsDir, null, NativeMethods.MsPrivate);

        string? net = config.HostNetwork ? null : Path.Combine(nsDir, "net");
        string? uts = config.HostNetwork ? null : Path.Combine(nsDir, "uts");
        string? ipc = config.HostIpc ? null : Path.Combine(nsDir, "ipc");
        var unshareArgs = new List<string>();
        foreach (var (flag, path) in new[] { ("--net", net), ("--uts", uts), ("--ipc", ipc) })
        {
            if (path is not null)
            {
                File.WriteAllBytes(path, []);
                unshareArgs.Add($"{flag}={path}");
            }
        }

        if (unshareArgs.Count > 0)
        {
            // The new UTS namespace gets the pod's hostname, the new network namespace a working loopback (the CNI
            // loopback plugin does the same later; port-forward needs it either way).
            var script = (uts is not null ? "hostname \"$1\" && " : string.Empty) + (net is not null ? "ip link set lo up" : "true");
            unshareArgs.AddRange(["/bin/sh", "-c", script, "sh", config.Hostname]);
            await HostCommand.RunCheckedAsync("unshare", unshareArgs, cancellationToken).ConfigureAwait(false);
        }

        var shm = "/dev/shm";
        if (!config.HostIpc)
        {
            shm = Path.Combine(directory, "shm");
            Directory.CreateDirectory(shm);
            NativeMethods.Mount("shm", shm, "tmpfs", NativeMethods.MsNosuid | NativeMethods.MsNodev | NativeMethods.MsNoexec, ShmOptions);
        }

        var hostname = Path.Combine(directory, "hostname");
        await File.WriteAllTextAsync(hostname, config.Hostname + "\n", cancellationToken).ConfigureAwait(false);
        string? resolv = null;
        if (config.ResolvConf is not null)
        {
            resolv = Path.Combine(directory, "resolv.conf");
            await File.WriteAllTextAsync(resolv, config.ResolvConf, cancellationToken).ConfigureAwait(false);
        }

        string? hosts = null;
        if (config.Hosts is not null)
        {
            hosts = Path.Combine(directory, "hosts");
            await File.WriteAllTextAsync(hosts, config.Hosts, cancellationToken).ConfigureAwait(false);
        }

        return new SandboxRecord
        {
            Id = id,
            Config = config,
            CreatedAt = now,
            NetworkNamespacePath = net,
            IpcNamespacePath = ipc,
            UtsNamespacePath = uts,
            ShmPath = shm,
            HostnamePath = hostname,
            ResolvConfPath = resolv,
            HostsPath = hosts,
        };
    }

    /// <summary>The mount points of this mount namespace (from /proc/self/mountinfo, octal escapes decoded).</summary>
    public static HashSet<string> MountPoints() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => System.Text.RegularExpressions.Regex.Replace(
                fields[4], @"\\([0-7]{3})", match => ((char)Convert.ToInt32(match.Groups[1].Value, 8)).ToString()))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Unmounts everything the sandbox directory holds; afterwards it is plain files.</summary>
    public static void Unmount(string directory)
    {
        var nsDir = Path.Combine(directory, "ns");
        foreach (var name in new[] { "net", "uts", "ipc" })
        {
            NativeMethods.TryUnmount(Path.Combine(nsDir, name));
        }

        NativeMethods.TryUnmount(nsDir);
        NativeMethods.TryUnmount(Path.Combine(directory, "shm"));
    }

    /// <summary>Unmounts the sandbox's namespaces and shm, removes the pod cgroup, then deletes the directory.</summary>
    public static async Task DestroyAsync(string directory, string cgroupParent, PodCgroups cgroups, CancellationToken cancellationToken)
    {
        // The record goes last: if the cgroup is still busy the removal fails and can be retried.
        Unmount(directory);
        await cgroups.RemoveAsync(cgroupParent, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
