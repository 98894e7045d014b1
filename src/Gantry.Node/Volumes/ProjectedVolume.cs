using System.Text;
using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>
/// projected: configMap, secret, downwardAPI and serviceAccountToken sources merged into one directory on a tmpfs (the
/// kube-api-access-* volume every pod gets: token, ca.crt from kube-root-ca.crt, namespace), updated atomically.
/// </summary>
internal sealed class ProjectedVolume : IVolumePlugin
{
    /// <summary>The TokenRequest lifetime when the source names none (the API's default).</summary>
    private const long DefaultExpirationSeconds = 3600;

    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.Projected is not null;

    /// <inheritdoc />
    public async Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var projected = volume.Projected;
        var defaultMode = projected.DefaultMode ?? KeyToPathPayload.DefaultMode;
        var ns = pod.Metadata.NamespaceProperty;
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var source in projected.Sources ?? [])
        {
            try
            {
                Dictionary<string, FileProjection> files;
                if (source.ConfigMap is { } configMap)
                {
                    files = await ConfigMapVolume.PayloadAsync(context, ns, configMap.Name, configMap.Items, defaultMode, configMap.Optional == true,
                        cancellationToken).ConfigureAwait(false);
                }
                else if (source.Secret is { } secret)
                {
                    files = await SecretVolume.PayloadAsync(context, ns, secret.Name, secret.Items, defaultMode, secret.Optional == true,
                        cancellationToken).ConfigureAwait(false);
                }
                else if (source.DownwardAPI is { } downward)
                {
                    files = await DownwardApiVolume.PayloadAsync(context, pod, downward.Items, defaultMode, cancellationToken).ConfigureAwait(false);
                }
                else if (source.ServiceAccountToken is { } token)
                {
                    files = await TokenPayloadAsync(context, pod, token, defaultMode, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    continue;
                }
                foreach (var (path, file) in files) payload[path] = file;
            }
            catch (VolumeSourceException ex)
            {
                errors.Add(ex.Message);
            }
        }
        if (errors.Count > 0) throw new VolumeSourceException(DownwardApiVolume.Aggregate(errors));
        return context.WritePayload(pod, "projected", volume.Name, payload, memory: true);
    }

    private static async Task<Dictionary<string, FileProjection>> TokenPayloadAsync(VolumeContext context, V1Pod pod, V1ServiceAccountTokenProjection token,
        int defaultMode, CancellationToken cancellationToken)
    {
        // With an fsGroup the token is 0600 and the ownership pass makes it 0640 (group readable), as in the kubelet.
        var mode = pod.Spec.SecurityContext?.FsGroup is not null ? (UnixFileMode)0x180 : KeyToPathPayload.Mode(defaultMode);
        string value;
        try
        {
            value = await context.Tokens.GetAsync(pod, token.Audience, token.ExpirationSeconds ?? DefaultExpirationSeconds, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Gantry.Client.ApiClientException ex)
        {
            throw new VolumeSourceException(ex.Message, ex);
        }
        return new Dictionary<string, FileProjection>(StringComparer.Ordinal) { [token.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), mode) };
    }
}
