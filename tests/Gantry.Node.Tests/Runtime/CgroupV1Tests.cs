using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

/// <summary>The QoS level of pod cgroups on cgroup v1, against fake cpu and memory hierarchies (real ones: RuncRuntimeTests).</summary>
public sealed class CgroupV1Tests : IDisposable
{
    private const string Qos = "/gantry/node-1/kubepods";
    private readonly string root = Directory.CreateTempSubdirectory("gantry-cgroup1-").FullName;

    public CgroupV1Tests()
    {
        foreach (var controller in new[] { "cpu", "memory" })
        {
            Directory.CreateDirectory(Path.Combine(root, controller));
            File.WriteAllText(Path.Combine(root, controller, "cgroup.procs"), "1\n");
        }
    }

    [Fact]
    public void QosCgroups_GetTheSumOfTheirPodsShares_OrTheMinimum()
    {
        var cgroups = new CgroupV1(root);

        cgroups.Create(Qos + "/burstable/poda", new LinuxResources { CpuShares = 256 });
        cgroups.Create(Qos + "/burstable/podb", new LinuxResources { CpuShares = 1024, MemoryLimitBytes = 1 << 20 });
        cgroups.Create(Qos + "/besteffort/podc", new LinuxResources());
        cgroups.Create(Qos + "/podd", new LinuxResources { CpuShares = 512 });

        Assert.Equal("1280", Read("cpu", Qos + "/burstable/cpu.shares"));
        Assert.Equal("2", Read("cpu", Qos + "/besteffort/cpu.shares"));
        Assert.Equal("1048576", Read("memory", Qos + "/burstable/podb/memory.limit_in_bytes"));
        Assert.False(File.Exists(Path.Combine(root, "cpu", Qos.TrimStart('/'), "cpu.shares")), "kubepods itself is left alone");
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Read(string controller, string file) => File.ReadAllText(Path.Combine(root, controller, file.TrimStart('/'))).Trim();
}
