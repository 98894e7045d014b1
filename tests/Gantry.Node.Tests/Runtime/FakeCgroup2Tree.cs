using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

/// <summary>
/// A cgroup v2 hierarchy in a temporary directory, playing the kernel's part: a new cgroup gets cgroup.controllers from
/// its parent's cgroup.subtree_control and the interface files of those controllers, rmdir refuses a cgroup with
/// children or processes. Records every mkdir and rmdir in order.
/// </summary>
internal sealed class FakeCgroup2Tree : IDisposable
{
    private readonly bool swap;

    /// <summary>A root offering <paramref name="controllers"/>; <paramref name="cgroupKill"/> and <paramref name="swap"/> as the kernel has them.</summary>
    public FakeCgroup2Tree(string controllers = "cpuset cpu io memory hugetlb pids rdma misc", bool cgroupKill = true, bool swap = true)
    {
        this.swap = swap;
        CgroupKill = cgroupKill;
        Root = Directory.CreateTempSubdirectory("gantry-cgroup2-").FullName;
        File.WriteAllText(Path.Combine(Root, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(Root, "cgroup.subtree_control"), "\n");
        File.WriteAllText(Path.Combine(Root, "cgroup.procs"), "1\n");
    }

    /// <summary>The fake /sys/fs/cgroup.</summary>
    public string Root { get; }

    /// <summary>Whether new cgroups get cgroup.kill (Linux 5.14+).</summary>
    public bool CgroupKill { get; }

    /// <summary>"mkdir path" and "rmdir path" (relative to the root) in the order they happened.</summary>
    public List<string> Operations { get; } = [];

    /// <summary>Pod cgroups over this tree.</summary>
    public CgroupV2 Cgroups(TimeProvider? time = null) => new(Root, time ?? TimeProvider.System, MakeDirectory, RemoveDirectory);

    /// <summary>The content of <paramref name="file"/> in <paramref name="cgroup"/>, trimmed.</summary>
    public string Read(string cgroup, string file) => File.ReadAllText(Path.Combine(Root, cgroup.TrimStart('/'), file)).Trim();

    /// <summary>Replaces <paramref name="file"/> in <paramref name="cgroup"/>, as the kernel updates it.</summary>
    public void Set(string cgroup, string file, string content) =>
        File.WriteAllText(Path.Combine(Root, cgroup.TrimStart('/'), file), content);

    /// <summary>Whether the cgroup exists.</summary>
    public bool Exists(string cgroup) => Directory.Exists(Path.Combine(Root, cgroup.TrimStart('/')));

    /// <summary>mkdir: the new cgroup gets the controllers its parent delegates and their interface files.</summary>
    public void MakeDirectory(string path)
    {
        var parent = Path.GetDirectoryName(path)!;
        var controllers = File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control"))
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(c => c.TrimStart('+')).ToList();
        Directory.CreateDirectory(path);
        Operations.Add("mkdir " + Relative(path));
        var files = new Dictionary<string, string>
        {
            ["cgroup.controllers"] = string.Join(' ', controllers) + "\n",
            ["cgroup.subtree_control"] = "\n",
            ["cgroup.procs"] = string.Empty,
            ["cgroup.events"] = "populated 0\nfrozen 0\n",
        };
        if (CgroupKill)
        {
            files["cgroup.kill"] = string.Empty;
        }

        if (controllers.Contains("cpu"))
        {
            files["cpu.weight"] = "100\n";
            files["cpu.max"] = "max 100000\n";
        }

        if (controllers.Contains("memory"))
        {
            files["memory.max"] = "max\n";
            files["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n";
            if (swap)
            {
                files["memory.swap.max"] = "max\n";
            }
        }

        if (controllers.Contains("pids"))
        {
            files["pids.max"] = "max\n";
        }

        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(path, name), content);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void RemoveDirectory(string path)
    {
        if (Directory.GetDirectories(path).Length > 0 || File.ReadAllText(Path.Combine(path, "cgroup.events")).Contains("populated 1", StringComparison.Ordinal))
        {
            throw new IOException($"rmdir {path}: Device or resource busy");
        }

        Operations.Add("rmdir " + Relative(path));
        Directory.Delete(path, recursive: true);
    }

    private string Relative(string path) => "/" + Path.GetRelativePath(Root, path);
}
