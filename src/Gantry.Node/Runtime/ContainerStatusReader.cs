using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// A container's CRI status from what survives the agent: its record, conmon's exit and OOM files (Exited, with
/// Completed, Error or OOMKilled as the kubelet words them) and, while those are absent, runc's state.
/// </summary>
internal static class ContainerStatusReader
{
    /// <summary>The status of the container of <paramref name="record"/> in <paramref name="dir"/>, given runc's <paramref name="state"/>.</summary>
    public static ContainerStatus Read(ContainerRecord record, string dir, RuncClient.State? state)
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
            var oom = exit.OomKilled || (exit.ExitCode == 137 && CgroupSawOomKill(record.CgroupsPath));
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

    private static bool CgroupSawOomKill(string cgroupsPath)
    {
        // conmon's OOM marker depends on an eventfd it registers after create; a container killed before that still
        // leaves the kernel's count in its memory cgroup, which lives until runc delete.
        var control = Path.Combine(CgroupV1.ControllerPath("memory", cgroupsPath), "memory.oom_control");
        if (!File.Exists(control))
        {
            return false;
        }

        var line = File.ReadLines(control).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
        return line is not null && long.TryParse(line["oom_kill ".Length..], CultureInfo.InvariantCulture, out var kills) && kills > 0;
    }
}
