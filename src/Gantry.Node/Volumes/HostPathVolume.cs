using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>hostPath: the node's own path, after the type check the kubelet does (creating it for the *OrCreate types).</summary>
internal sealed class HostPathVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.HostPath is not null;

    /// <inheritdoc />
    public Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        CheckType(volume.HostPath.Path, volume.HostPath.Type);
        return Task.FromResult(volume.HostPath.Path);
    }

    /// <summary>The kubelet's hostPath type check (also used for hostPath persistent volumes).</summary>
    public static void CheckType(string path, string? type)
    {
        switch (type)
        {
            case null or "":
                return;
            case "DirectoryOrCreate" when !Path.Exists(path):
                Directory.CreateDirectory(path, (UnixFileMode)0x1ED);
                return;
            case "DirectoryOrCreate" or "Directory":
                if (!Directory.Exists(path)) throw Failed(path, "a directory");
                return;
            case "FileOrCreate" when !Path.Exists(path):
                CreateFile(path);
                return;
            case "FileOrCreate" or "File":
                if (!IsKind(path, FileKinds.Regular)) throw Failed(path, "a file");
                return;
            case "Socket":
                if (!IsKind(path, FileKinds.Socket)) throw Failed(path, "a socket file");
                return;
            case "CharDevice":
                if (!IsKind(path, FileKinds.CharDevice)) throw Failed(path, "a character device");
                return;
            case "BlockDevice":
                if (!IsKind(path, FileKinds.BlockDevice)) throw Failed(path, "a block device");
                return;
            default:
                throw new VolumeSourceException($"{type} is an invalid volume type");
        }
    }

    private static void CreateFile(string path)
    {
        try
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)0x1A4,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new VolumeSourceException($"open {path}: {ex.Message}", ex);
        }
    }

    private static bool IsKind(string path, int kind) => FileKinds.Of(path) == kind;

    private static VolumeSourceException Failed(string path, string what) => new($"hostPath type check failed: {path} is not {what}");
}
