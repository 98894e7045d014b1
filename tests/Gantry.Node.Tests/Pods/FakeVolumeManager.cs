using Gantry.Node.Volumes;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

/// <summary>Gives every volume an empty directory under a root; <see cref="Failing"/> makes set-ups fail as FailedMount.</summary>
internal sealed class FakeVolumeManager(string root) : IVolumeManager
{
    public string? Failing { get; set; }

    public Task<IReadOnlyDictionary<string, string>> SetUpPodVolumesAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        if (Failing is not null) throw new VolumeException(Failing);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            var path = Path.Combine(root, pod.Metadata.Uid, volume.Name);
            Directory.CreateDirectory(path);
            paths[volume.Name] = path;
        }
        return Task.FromResult<IReadOnlyDictionary<string, string>>(paths);
    }

    public Task TearDownPodVolumesAsync(string podUid, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, podUid);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    public IReadOnlyList<string> PodsWithVolumes() =>
        Directory.Exists(root) ? [.. Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>()] : [];
}
