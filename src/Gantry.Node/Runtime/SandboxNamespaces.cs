namespace Gantry.Node.Runtime;

/// <summary>
/// A sandbox without an infra container: its network, IPC and UTS namespaces are created in process (as util-linux
/// unshare would) and kept alive by bind-mounting them onto files (as `ip netns` does), its /dev/shm is a tmpfs of its
/// own, and its resolv.conf, hosts and hostname are files every container bind-mounts.
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
        var pins = new (int Flag, string Kind, string? Path)[]
            {
                (NativeMethods.CloneNewNet, "net", net), (ThreadNamespaces.CloneNewUts, "uts", uts), (ThreadNamespaces.CloneNewIpc, "ipc", ipc),
            }
            .Where(pin => pin.Path is not null).ToList();
        if (pins.Count > 0)
        {
            foreach (var (_, _, path) in pins)
            {
                File.WriteAllBytes(path!, []);
            }

            // What `unshare --net=PATH --uts=PATH --ipc=PATH` does, on a thread of its own: new namespaces for the thread,
            // the pod's hostname in the new UTS namespace, a working loopback in the new network namespace (the CNI
            // loopback plugin's job; port-forward needs it either way), and each namespace bind-mounted onto its file.
            await ThreadNamespaces.RunAsync("sandbox-ns", () =>
            {
                ThreadNamespaces.Unshare(pins.Aggregate(0, (flags, pin) => flags | pin.Flag));
                if (uts is not null)
                {
                    ThreadNamespaces.SetHostname(config.Hostname);
                }

                if (net is not null)
                {
                    ThreadNamespaces.SetLoopbackUp();
                }

                foreach (var (_, kind, path) in pins)
                {
                    NativeMethods.Mount($"/proc/thread-self/ns/{kind}", path!, null, NativeMethods.MsBind);
                }
            }).ConfigureAwait(false);
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
