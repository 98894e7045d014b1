using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// A container's CRI status from what survives the agent: its record, conmon's exit and OOM files (Exited, with
/// Completed, Error or OOMKilled as the kubelet words them) and, while those are absent, runc's state.
/// </summary>
internal static class ContainerStatusReader
{
    /// <summary>
    /// The status of the container of <paramref name="record"/> in <paramref name="dir"/>, given runc's
    /// <paramref name="state"/> and the node's <paramref name="cgroups"/>.
    /// </summary>
    public static ContainerStatus Read(ContainerRecord record, string dir, RuncClient.State? state, PodCgroups cgroups)
    {
        var startedFile = Path.Combine(dir, "started");
        DateTimeOffset? startedAt = File.Exists(startedFile)
            ? DateTimeOffset.Parse(File.ReadAllText(startedFile), CultureInfo.InvariantCulture)
            : null;
        var status = new ContainerStatus
        {
            Id = record.Id,
            SandboxId = record.SandboxId,
            Name = record.Name,
            Attempt = record.Attempt,
            State = ContainerState.Created,
            Image = record.Image,
            ImageId = record.ImageId,
            CreatedAt = record.CreatedAt,
            StartedAt = startedAt,
            LogPath = record.LogPath,
            Labels = record.Labels,
            Annotations = record.Annotations,
        };

        if (ConmonMonitor.ReadExit(dir, record.Id) is { } exit)
        {
            // conmon's OOM marker depends on an event it registers after create; a container killed before that still
            // leaves the kernel's count in its memory cgroup, which lives until runc delete.
            var oom = exit.OomKilled || (exit.ExitCode == 137 && cgroups.SawOomKill(record.CgroupsPath));
            var reason = oom ? "OOMKilled" : exit.ExitCode == 0 ? "Completed" : "Error";
            return status with { State = ContainerState.Exited, ExitCode = exit.ExitCode, FinishedAt = exit.FinishedAt, Reason = reason };
        }

        return state?.Status switch
        {
            "created" => status,
            "running" or "paused" => status with { State = ContainerState.Running },
            "stopped" when ConmonMonitor.IsAlive(dir) => status with { State = ContainerState.Running },
            _ => status with
            {
                State = ContainerState.Exited,
                ExitCode = 255,
                Reason = "Error",
                Message = "the container's monitor exited without recording an exit code",
            },
        };
    }
}
