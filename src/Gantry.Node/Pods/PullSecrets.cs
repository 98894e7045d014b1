using System.Text;
using System.Text.Json;
using Gantry.Client;
using Gantry.Node.Images;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>Registry credentials from a pod's imagePullSecrets (.dockerconfigjson and legacy .dockercfg secrets).</summary>
internal static class PullSecrets
{
    /// <summary>Every credential the pod's pull secrets hold; missing secrets are skipped, as the kubelet does.</summary>
    public static async Task<IReadOnlyList<RegistryCredential>> ReadAsync(IApiClient client, V1Pod pod, CancellationToken cancellationToken)
    {
        var credentials = new List<RegistryCredential>();
        foreach (var reference in pod.Spec.ImagePullSecrets ?? [])
        {
            if (string.IsNullOrEmpty(reference.Name)) continue;
            var secret = await client.For<V1Secret>().GetAsync(pod.Metadata.NamespaceProperty, reference.Name, cancellationToken).ConfigureAwait(false);
            if (secret?.Data is null) continue;
            if (secret.Data.TryGetValue(".dockerconfigjson", out var config)) Parse(config, auths: true, credentials);
            else if (secret.Data.TryGetValue(".dockercfg", out var legacy)) Parse(legacy, auths: false, credentials);
        }
        return credentials;
    }

    private static void Parse(byte[] json, bool auths, List<RegistryCredential> into)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (auths && !root.TryGetProperty("auths", out root)) return;
        if (root.ValueKind != JsonValueKind.Object) return;
        foreach (var registry in root.EnumerateObject())
        {
            string? user = Text(registry.Value, "username"), password = Text(registry.Value, "password");
            if ((user is null || password is null) && Text(registry.Value, "auth") is { } auth)
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth)).Split(':', 2);
                if (pair.Length == 2) (user, password) = (pair[0], pair[1]);
            }
            if (user is null || password is null) continue;
            var host = registry.Name.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).Split('/')[0];
            into.Add(new RegistryCredential(host, user, password));
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
