using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>
/// The data, hash and name of ControllerRevisions as the StatefulSet and DaemonSet controllers write them: the data is a
/// strategic merge patch <c>{"spec":{"template":{..., "$patch":"replace"}}}</c> in Go's JSON encoding of the typed
/// object, so that <c>kubectl rollout undo</c> can patch it back and <c>kubectl rollout history</c> can show it.
/// </summary>
public static class ControllerRevisionData
{
    /// <summary>Label on a ControllerRevision with the hash of its data.</summary>
    public const string HashLabel = "controller.kubernetes.io/hash";

    /// <summary>Label on pods (and DaemonSet revisions) naming the revision they were made from.</summary>
    public const string RevisionLabel = "controller-revision-hash";

    // Go omits these maps when empty (omitempty on a map), while struct-valued fields such as resources stay as {}.
    private static readonly HashSet<string> OmittedWhenEmpty =
        new(["labels", "annotations", "nodeSelector", "limits", "requests", "overhead", "matchLabels"], StringComparer.Ordinal);

    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The revision data that records <paramref name="template"/>.</summary>
    public static string FromTemplate(V1PodTemplateSpec template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var node = JsonNode.Parse(KubernetesJson.Serialize(template))!.AsObject();
        GoShape(node);
        var metadata = node["metadata"] as JsonObject ?? [];
        node["metadata"] = metadata;
        if (!metadata.ContainsKey("creationTimestamp")) metadata["creationTimestamp"] = null;
        if (node["spec"] is JsonObject spec)
        {
            foreach (var list in new[] { "initContainers", "containers" })
                if (spec[list] is JsonArray containers)
                    foreach (var container in containers.OfType<JsonObject>())
                        if (!container.ContainsKey("resources")) container["resources"] = new JsonObject();
        }
        node["$patch"] = "replace";
        return GoJson.Write(new JsonObject { ["spec"] = new JsonObject { ["template"] = node } });
    }

    /// <summary>The data of a stored revision (as the client decoded it) in the canonical encoding, for comparisons.</summary>
    public static string? Canonical(object? data) => data switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement element => GoJson.Write(JsonNode.Parse(element.GetRawText())),
        JsonNode node => GoJson.Write(node),
        string text => GoJson.Write(JsonNode.Parse(text)),
        _ => GoJson.Write(JsonNode.Parse(KubernetesJson.Serialize(data))),
    };

    /// <summary>The value to put in <see cref="V1ControllerRevision.Data"/> for canonical data.</summary>
    public static object ToData(string canonical) => JsonDocument.Parse(canonical).RootElement.Clone();

    /// <summary>The pod template a revision's data records, or null when it records none.</summary>
    public static V1PodTemplateSpec? Template(object? data)
    {
        if (Canonical(data) is not { } canonical) return null;
        if (JsonNode.Parse(canonical)?["spec"]?["template"] is not JsonObject template) return null;
        template.Remove("$patch");
        return KubernetesJson.Deserialize<V1PodTemplateSpec>(template.ToJsonString());
    }

    /// <summary>
    /// The hash of revision data: 32-bit FNV-1 over the bytes and the collision count, printed in decimal and mapped to
    /// letters that spell no words (Kubernetes' HashControllerRevision).
    /// </summary>
    public static string Hash(string data, int? collisionCount)
    {
        ArgumentNullException.ThrowIfNull(data);
        var hash = 2166136261u;
        void Add(string text)
        {
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                hash *= 16777619u;
                hash ^= b;
            }
        }
        Add(data);
        if (collisionCount is { } count) Add(count.ToString(CultureInfo.InvariantCulture));
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Maps each character to a letter or digit that cannot spell words (Kubernetes' rand.SafeEncodeString).</summary>
    public static string SafeEncode(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++) span[i] = Alphabet[source[i] % Alphabet.Length];
    });

    /// <summary>The revision name <c>prefix-hash</c>, the prefix cut to 223 characters so the name fits 253.</summary>
    public static string Name(string prefix, string hash) => $"{(prefix.Length > 223 ? prefix[..223] : prefix)}-{hash}";

    private static void GoShape(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    GoShape(value);
                    var empty = value switch
                    {
                        JsonArray array => array.Count == 0 && key != "containers",
                        JsonObject child => child.Count == 0 && OmittedWhenEmpty.Contains(key),
                        _ => false,
                    };
                    if (empty) obj.Remove(key);
                }
                break;
            case JsonArray array:
                foreach (var item in array) GoShape(item);
                break;
        }
    }
}
