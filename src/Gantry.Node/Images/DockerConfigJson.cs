using System.Text;
using System.Text.Json;

namespace Gantry.Node.Images;

/// <summary>Registry credentials from imagePullSecrets: <c>kubernetes.io/dockerconfigjson</c> and legacy <c>kubernetes.io/dockercfg</c> secrets.</summary>
public static class DockerConfigJson
{
    /// <summary>The secret data key of a <c>kubernetes.io/dockerconfigjson</c> secret.</summary>
    public const string DataKey = ".dockerconfigjson";

    /// <summary>The secret data key of a legacy <c>kubernetes.io/dockercfg</c> secret.</summary>
    public const string LegacyDataKey = ".dockercfg";

    /// <summary>
    /// The credentials in a secret's data (either key; other keys are ignored). Entries give username and password, or
    /// "auth" (base64 of user:password) as <c>kubectl create secret docker-registry</c> writes both. Malformed data
    /// yields no credentials rather than an error, as the kubelet only logs bad pull secrets.
    /// </summary>
    public static IReadOnlyList<RegistryCredential> Parse(IReadOnlyDictionary<string, byte[]> secretData)
    {
        var result = new List<RegistryCredential>();
        try
        {
            if (secretData.TryGetValue(DataKey, out var json))
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.TryGetProperty("auths", out var auths)) Add(auths, result);
            }
            if (secretData.TryGetValue(LegacyDataKey, out var legacy))
            {
                using var document = JsonDocument.Parse(legacy);
                Add(document.RootElement, result);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return [];
        }
        return result;
    }

    private static void Add(JsonElement auths, List<RegistryCredential> result)
    {
        if (auths.ValueKind != JsonValueKind.Object) return;
        foreach (var registry in auths.EnumerateObject())
        {
            if (registry.Value.ValueKind != JsonValueKind.Object) continue;
            string? username = Text(registry.Value, "username"), password = Text(registry.Value, "password");
            if ((string.IsNullOrEmpty(username) || password is null) && Text(registry.Value, "auth") is { Length: > 0 } auth)
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth)).Split(':', 2);
                if (pair.Length != 2) continue;
                (username, password) = (pair[0], pair[1]);
            }
            if (!string.IsNullOrEmpty(username) && password is not null) result.Add(new RegistryCredential(registry.Name, username, password));
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
