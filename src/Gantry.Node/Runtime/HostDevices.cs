using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>Host device nodes (type, major, minor) for the OCI spec's linux.devices and device cgroup rules.</summary>
internal static class HostDevices
{
    /// <summary>One device node.</summary>
    public sealed record Device(string Path, string Type, long Major, long Minor);

    /// <summary>Describes <paramref name="paths"/> (each must be a character or block device).</summary>
    public static async Task<IReadOnlyList<Device>> DescribeAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return [];
        }

        var output = await HostCommand.RunCheckedAsync("stat", ["-L", "-c", "%n|%F|%t|%T", .. paths], cancellationToken)
            .ConfigureAwait(false);
        var devices = Parse(output);
        var notDevices = paths.Except(devices.Select(device => device.Path)).ToList();
        if (notDevices.Count > 0)
        {
            throw new InvalidOperationException($"not a device: {string.Join(", ", notDevices)}");
        }

        return devices;
    }

    /// <summary>Every device node under /dev (privileged containers get them all, as with containerd).</summary>
    public static async Task<IReadOnlyList<Device>> AllAsync(CancellationToken cancellationToken)
    {
        // /dev/pts and the console belong to the container's own devpts and terminal.
        var output = await HostCommand.RunCheckedAsync(
            "find",
            ["/dev", "-xdev", "(", "-type", "c", "-o", "-type", "b", ")", "-not", "-path", "/dev/pts/*",
             "-not", "-path", "/dev/console", "-not", "-path", "/dev/ptmx", "-exec", "stat", "-c", "%n|%F|%t|%T", "{}", "+"],
            cancellationToken).ConfigureAwait(false);
        return Parse(output);
    }

    private static List<Device> Parse(string output)
    {
        var devices = new List<Device>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('|');
            if (fields.Length != 4)
            {
                continue;
            }

            var type = fields[1] switch
            {
                "character special file" => "c",
                "block special file" => "b",
                _ => null,
            };
            if (type is not null)
            {
                devices.Add(new Device(
                    fields[0], type,
                    long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        return devices;
    }
}
