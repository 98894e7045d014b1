using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>secret: the keys (or listed items) of a Secret as files on a tmpfs (never on disk), updated atomically.</summary>
internal sealed class SecretVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.Secret is not null;

    /// <inheritdoc />
    public async Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var source = volume.Secret;
        var payload = await PayloadAsync(context, pod.Metadata.NamespaceProperty, source.SecretName, source.Items, source.DefaultMode,
            source.Optional == true, cancellationToken).ConfigureAwait(false);
        return context.WritePayload(pod, "secret", volume.Name, payload, memory: true);
    }

    /// <summary>The files of a Secret (also a projected source); a missing, non-optional Secret or key fails as in the kubelet.</summary>
    public static async Task<Dictionary<string, FileProjection>> PayloadAsync(VolumeContext context, string ns, string name, IList<V1KeyToPath>? items,
        int? defaultMode, bool optional, CancellationToken cancellationToken)
    {
        var secret = await context.Client.For<V1Secret>().GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (secret is null && !optional) throw new VolumeSourceException($"secret \"{name}\" not found");
        var data = new Dictionary<string, byte[]>(secret?.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        return KeyToPathPayload.Make(data, items, defaultMode, optional, key => $"references non-existent secret key: {key}");
    }
}
