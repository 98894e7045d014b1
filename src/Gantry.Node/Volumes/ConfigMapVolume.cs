using System.Text;
using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>configMap: the keys (or listed items) of a ConfigMap as files on the node's disk, updated atomically.</summary>
internal sealed class ConfigMapVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.ConfigMap is not null;

    /// <inheritdoc />
    public async Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var source = volume.ConfigMap;
        var payload = await PayloadAsync(context, pod.Metadata.NamespaceProperty, source.Name, source.Items, source.DefaultMode, source.Optional == true,
            cancellationToken).ConfigureAwait(false);
        return context.WritePayload(pod, "configmap", volume.Name, payload, memory: false);
    }

    /// <summary>The files of a ConfigMap (also a projected source); a missing, non-optional ConfigMap or key fails as in the kubelet.</summary>
    public static async Task<Dictionary<string, FileProjection>> PayloadAsync(VolumeContext context, string ns, string name, IList<V1KeyToPath>? items,
        int? defaultMode, bool optional, CancellationToken cancellationToken)
    {
        var configMap = await context.Client.For<V1ConfigMap>().GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (configMap is null && !optional) throw new VolumeSourceException($"configmap \"{name}\" not found");
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap?.Data ?? new Dictionary<string, string>()) data[key] = Encoding.UTF8.GetBytes(value);
        foreach (var (key, value) in configMap?.BinaryData ?? new Dictionary<string, byte[]>()) data[key] = value;
        return KeyToPathPayload.Make(data, items, defaultMode, optional, key => $"configmap references non-existent config key: {key}");
    }
}
