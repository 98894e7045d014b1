using Gantry.Client;
using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>What the volume plugins share: the node's paths, the API, time and the token cache.</summary>
internal sealed class VolumeContext(NodePaths paths, IApiClient client, TimeProvider time)
{
    /// <summary>The node's paths.</summary>
    public NodePaths Paths => paths;

    /// <summary>The API client (configMaps, secrets, claims, volumes, tokens).</summary>
    public IApiClient Client => client;

    /// <summary>Time (timestamped data dirs, token refresh).</summary>
    public TimeProvider Time => time;

    /// <summary>Service account tokens of projected volumes.</summary>
    public ServiceAccountTokens Tokens { get; } = new(client, time);

    /// <summary>The directory of one pod's volumes: <c>{PodsDir}/{uid}</c>.</summary>
    public string PodDir(string podUid) => Path.Combine(paths.PodsDir, podUid);

    /// <summary>The kubelet's layout: <c>{PodsDir}/{uid}/volumes/kubernetes.io~{plugin}/{name}</c>.</summary>
    public string VolumeDir(V1Pod pod, string plugin, string volumeName) =>
        Path.Combine(PodDir(pod.Metadata.Uid), "volumes", "kubernetes.io~" + plugin, volumeName);

    /// <summary>
    /// Writes a configMap/secret/downwardAPI/projected payload atomically into the volume's directory, on a tmpfs when
    /// <paramref name="memory"/> (secrets never touch the disk), with the pod's fsGroup applied.
    /// </summary>
    public string WritePayload(V1Pod pod, string plugin, string volumeName, IReadOnlyDictionary<string, FileProjection> payload, bool memory)
    {
        var dir = VolumeDir(pod, plugin, volumeName);
        Directory.CreateDirectory(dir);
        if (memory) HostMounts.MountTmpfs(dir, null);
        var fsGroup = pod.Spec.SecurityContext?.FsGroup;
        var writer = new AtomicWriter(dir, time);
        if (writer.Write(payload, fsGroup is { } group ? ts => VolumeOwnership.Apply(ts, group, readOnly: true) : null) && fsGroup is { } g)
        {
            VolumeOwnership.Apply(dir, g, readOnly: true, recursive: false);
        }
        return dir;
    }
}
