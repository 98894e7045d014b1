using System.Diagnostics;
using Gantry.Node.Images;
using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

/// <summary>
/// One test's node: a data dir under /tmp/gantry-runtime-tests, a unique node name (so its cgroups and runc root are
/// its own), and a busybox image made of two layer directories. Disposing removes every trace: runc containers (which
/// ends their conmon), mounts under the data dir, the node's cgroups and the files. Leftovers of a crashed earlier run
/// are removed the same way before the first test.
/// </summary>
public sealed class RuntimeTestEnvironment : IAsyncDisposable
{
    private const string Root = "/tmp/gantry-runtime-tests";
    private const string OwnerFile = "owner";
    private static readonly Lazy<bool> LeftoversRemoved = new(RemoveLeftovers);

    /// <summary>A fresh node with its own paths.</summary>
    public RuntimeTestEnvironment()
    {
        _ = LeftoversRemoved.Value;
        var name = "rt" + Guid.NewGuid().ToString("N")[..10];
        Directory = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, OwnerFile), ProcessIdentity(Environment.ProcessId));
        Paths = new NodePaths(Path.Combine(Directory, "data"), name) { PodLogsDir = Path.Combine(Directory, "logs") };
        Image = BuildImage(Path.Combine(Directory, "layers"));
    }

    /// <summary>Whether this host runs cgroup v2 (the engine's pod cgroups are then in one tree).</summary>
    public static bool UnifiedCgroups { get; } = PodCgroups.Detect(PodCgroups.MountRoot, TimeProvider.System) is CgroupV2;

    /// <summary>The test's directory.</summary>
    public string Directory { get; }

    /// <summary>The node's paths.</summary>
    public NodePaths Paths { get; }

    /// <summary>busybox-static in a bottom layer, /etc files and a marker file in a top layer.</summary>
    public ImageInfo Image { get; }

    /// <summary>
    /// The path of <paramref name="file"/> of <paramref name="cgroup"/>: in the hierarchy of <paramref name="v1Controller"/>
    /// on v1, in the one tree on v2.
    /// </summary>
    public static string CgroupFile(string v1Controller, string cgroup, string file) => UnifiedCgroups
        ? Path.Combine(PodCgroups.MountRoot, cgroup.TrimStart('/'), file)
        : Path.Combine(PodCgroups.MountRoot, v1Controller, cgroup.TrimStart('/'), file);

    /// <summary>A sandbox config for a pod of this node.</summary>
    public PodSandboxConfig Pod(string name, bool hostNetwork = false, LinuxResources? resources = null)
    {
        var uid = Guid.NewGuid().ToString();
        return new PodSandboxConfig
        {
            PodUid = uid,
            PodNamespace = "default",
            PodName = name,
            Hostname = name,
            HostNetwork = hostNetwork,
            CgroupParent = $"{Paths.CgroupRoot}/pod{uid}",
            Resources = resources,
            ResolvConf = "nameserver 127.0.0.53\n",
            Hosts = "127.0.0.1 localhost\n",
        };
    }

    /// <summary>A container config running <paramref name="args"/> with its log in this node's log dir.</summary>
    public ContainerConfig Container(string name, params string[] args) => new()
    {
        Name = name,
        Image = Image,
        Args = args,
        LogPath = Path.Combine(Paths.PodLogsDir, "pod", name, $"{Guid.NewGuid():N}.log"),
    };

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Clean(Directory, Path.GetFileName(Directory));
        return ValueTask.CompletedTask;
    }

    private static ImageInfo BuildImage(string layers)
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
        {
            throw new InvalidOperationException("busybox-static is required: apt-get install -y busybox-static");
        }

        var bottom = Path.Combine(layers, "0");
        var bin = Path.Combine(bottom, "bin");
        System.IO.Directory.CreateDirectory(bin);
        File.Copy(busybox, Path.Combine(bin, "busybox"));
        foreach (var applet in Run("/bin/busybox", "--list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
            }
        }

        File.CreateSymbolicLink(Path.Combine(bottom, "sbin"), "bin");
        System.IO.Directory.CreateDirectory(Path.Combine(bottom, "tmp"));
        File.SetUnixFileMode(Path.Combine(bottom, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));

        var top = Path.Combine(layers, "1");
        var etc = Path.Combine(top, "etc");
        System.IO.Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        File.WriteAllText(Path.Combine(etc, "group"), "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(top, "layer-marker"), "top layer\n");
        return new ImageInfo
        {
            Id = "sha256:" + new string('b', 64),
            RepoTags = ["gantry.test/busybox:latest"],
            LayerDirs = [bottom, top],
        };
    }

    private static bool RemoveLeftovers()
    {
        // Only environments whose test process is gone: other test runs on this machine may be using theirs.
        if (System.IO.Directory.Exists(Root))
        {
            foreach (var dir in System.IO.Directory.GetDirectories(Root).Where(dir => !OwnerAlive(dir)))
            {
                Clean(dir, Path.GetFileName(dir));
            }
        }

        return true;
    }

    private static bool OwnerAlive(string dir)
    {
        var owner = Path.Combine(dir, OwnerFile);
        if (!File.Exists(owner))
        {
            return false;
        }

        var identity = File.ReadAllText(owner);
        return int.TryParse(identity.Split(' ')[0], out var pid) && ProcessIdentity(pid) == identity;
    }

    private static string ProcessIdentity(int pid)
    {
        // pid plus its start time (field 22 of /proc/<pid>/stat), so a reused pid is not mistaken for the owner.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return string.Empty;
        }

        var fields = File.ReadAllText(stat).Split(')')[^1].Trim().Split(' ');
        return $"{pid} {fields[19]}";
    }

    private static void Clean(string directory, string nodeName)
    {
        var runcRoot = Path.Combine(directory, "data", "agent", "runc");
        if (System.IO.Directory.Exists(runcRoot))
        {
            foreach (var id in System.IO.Directory.GetDirectories(runcRoot).Select(Path.GetFileName))
            {
                Run("runc", "--root", runcRoot, "delete", "--force", id!);
            }
        }

        // Deepest mount points first: rootfs overlays, shm tmpfs, pinned namespaces and their private bind mounts.
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4])
            .Where(point => point.StartsWith(directory + "/", StringComparison.Ordinal))
            .OrderByDescending(point => point.Length);
        foreach (var point in mounts)
        {
            Run("umount", "-l", point);
        }

        // The v1 hierarchies, or on v2 the one tree at the mount root.
        string[] hierarchies = UnifiedCgroups ? [PodCgroups.MountRoot] : System.IO.Directory.GetDirectories(PodCgroups.MountRoot);
        foreach (var controller in hierarchies)
        {
            RemoveCgroup(Path.Combine(controller, "gantry", nodeName));
            try
            {
                System.IO.Directory.Delete(Path.Combine(controller, "gantry"));
            }
            catch (IOException)
            {
                // Absent, or another node's cgroups are still there.
            }
        }

        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    private static void RemoveCgroup(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return;
        }

        foreach (var child in System.IO.Directory.GetDirectories(path))
        {
            RemoveCgroup(child);
        }

        System.IO.Directory.Delete(path);
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
