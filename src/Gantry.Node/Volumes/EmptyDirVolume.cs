using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>emptyDir: a directory on the node's disk (mode 0777), or a tmpfs capped at sizeLimit for medium Memory.</summary>
internal sealed class EmptyDirVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.EmptyDir is not null;

    /// <inheritdoc />
    public Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var dir = context.VolumeDir(pod, "empty-dir", volume.Name);
        var created = !Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        switch (volume.EmptyDir.Medium)
        {
            case null or "":
                if (created) File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
                break;
            case "Memory":
                HostMounts.MountTmpfs(dir, volume.EmptyDir.SizeLimit is { } limit ? (long)limit.ToDecimal() : null);
                break;
            default:
                throw new VolumeSourceException($"unknown storage medium {volume.EmptyDir.Medium}");
        }
        if (created && pod.Spec.SecurityContext?.FsGroup is { } fsGroup) VolumeOwnership.Apply(dir, fsGroup, readOnly: false);
        return Task.FromResult(dir);
    }
}
