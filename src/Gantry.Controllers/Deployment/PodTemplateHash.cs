using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>
/// The <c>pod-template-hash</c> of a Deployment's template, as controller.ComputeHash does it: FNV-1a (32 bit) over the
/// template, then the collision count (when set) as 8 little-endian bytes, then the decimal value mapped through
/// SafeEncodeString's alphabet. Kubernetes hashes a spew dump of the Go struct, which has no .NET equivalent; here the
/// template is hashed as canonical JSON (keys sorted), which is stable across processes and restarts.
/// </summary>
public static class PodTemplateHash
{
    /// <summary>The label (and RS-name suffix) carrying the hash.</summary>
    public const string Label = "pod-template-hash";

    // k8s.io/apimachinery/pkg/util/rand: no vowels (no words) and no look-alike characters.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The hash of <paramref name="template"/> salted with <paramref name="collisionCount"/>.</summary>
    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        ArgumentNullException.ThrowIfNull(template);
        var hash = 2166136261u;
        hash = Fnv(hash, Encoding.UTF8.GetBytes(Canonical(Pruned(template))));
        if (collisionCount is { } count)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Fnv(hash, bytes);
        }
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Maps each character into the safe alphabet (rand.SafeEncodeString).</summary>
    public static string SafeEncode(string value) =>
        string.Create(value.Length, value, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = Alphabet[s[i] % Alphabet.Length];
        });

    /// <summary>
    /// The template as JSON without empty objects, arrays and nulls: Kubernetes compares templates semantically, where an
    /// empty struct or map equals an absent one (kubectl sends <c>"resources": {}</c> back on a rollback, for example).
    /// </summary>
    internal static JsonNode Pruned(V1PodTemplateSpec template) =>
        Prune(JsonNode.Parse(KubernetesJson.Serialize(template))) ?? new JsonObject();

    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (Prune(value) is null) obj.Remove(key);
                }
                return obj.Count == 0 ? null : obj;
            case JsonArray array:
                // Elements stay (positions matter), but their insides are pruned too.
                foreach (var item in array) Prune(item);
                return array.Count == 0 ? null : array;
            default:
                return node;
        }
    }

    private static uint Fnv(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) hash = unchecked((hash ^ b) * 16777619u);
        return hash;
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + Canonical(p.Value))) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
