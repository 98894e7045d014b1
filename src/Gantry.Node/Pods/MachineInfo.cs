using System.Globalization;

namespace Gantry.Node.Pods;

/// <summary>What the node reports about its machine: capacity and identity (the kubelet reads these through cAdvisor).</summary>
public sealed record MachineInfo
{
    /// <summary>Logical CPUs.</summary>
    public required int CpuCount { get; init; }

    /// <summary>MemTotal from /proc/meminfo, in bytes.</summary>
    public required long MemoryBytes { get; init; }

    /// <summary>Size of the file system holding the data dir (statvfs), in bytes.</summary>
    public required long EphemeralStorageBytes { get; init; }

    /// <summary>/etc/machine-id.</summary>
    public string MachineId { get; init; } = "";

    /// <summary>/proc/sys/kernel/random/boot_id.</summary>
    public string BootId { get; init; } = "";

    /// <summary>/sys/class/dmi/id/product_uuid (readable by root only).</summary>
    public string SystemUuid { get; init; } = "";

    /// <summary>/proc/sys/kernel/osrelease.</summary>
    public string KernelVersion { get; init; } = "";

    /// <summary>PRETTY_NAME from /etc/os-release.</summary>
    public string OsImage { get; init; } = "";

    /// <summary>Reads the facts of this machine; <paramref name="dataDir"/> picks the file system of ephemeral-storage.</summary>
    public static MachineInfo Read(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new MachineInfo
        {
            CpuCount = Environment.ProcessorCount,
            MemoryBytes = MemTotal(),
            EphemeralStorageBytes = new DriveInfo(dataDir).TotalSize,
            MachineId = ReadTrimmed("/etc/machine-id"),
            BootId = ReadTrimmed("/proc/sys/kernel/random/boot_id"),
            SystemUuid = ReadTrimmed("/sys/class/dmi/id/product_uuid"),
            KernelVersion = ReadTrimmed("/proc/sys/kernel/osrelease"),
            OsImage = PrettyName(),
        };
    }

    /// <summary>The first non-loopback IPv4 address of an interface that is up (the kubelet's default node IP choice).</summary>
    public static string DetectNodeIp()
    {
        return Gantry.Api.Net.HostAddresses.FirstUsableIPv4()?.ToString() ?? "127.0.0.1";
    }

    private static long MemTotal()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("/proc/meminfo has no MemTotal");
    }

    private static string PrettyName()
    {
        if (!File.Exists("/etc/os-release")) return "Linux";
        foreach (var line in File.ReadLines("/etc/os-release"))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) return line["PRETTY_NAME=".Length..].Trim('"');
        }
        return "Linux";
    }

    private static string ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
