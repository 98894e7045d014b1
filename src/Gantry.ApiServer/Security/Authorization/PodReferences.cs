using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Cache;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// The objects a pod references, as the edges of Kubernetes' node authorizer graph: secrets and config maps (volumes,
/// projected sources, env, envFrom, image pull secrets), persistent volume claims (including generic ephemeral
/// volumes' claims) and its service account. Computed once per cached pod revision.
/// </summary>
internal sealed class PodReferences
{
    private static readonly ConditionalWeakTable<CachedObject, PodReferences> Known = [];

    private PodReferences(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject;
        var podName = (string?)pod["metadata"]?["name"] ?? "";
        ServiceAccount = (string?)spec?["serviceAccountName"] is { Length: > 0 } sa ? sa : "default";
        foreach (var secret in Items(spec?["imagePullSecrets"])) Add(Secrets, secret["name"]);
        foreach (var volume in Items(spec?["volumes"]))
        {
            Add(Secrets, volume["secret"]?["secretName"]);
            Add(ConfigMaps, volume["configMap"]?["name"]);
            Add(Claims, volume["persistentVolumeClaim"]?["claimName"]);
            if (volume["ephemeral"] is JsonObject) Claims.Add(podName + "-" + (string?)volume["name"]);
            foreach (var source in Items(volume["projected"]?["sources"]))
            {
                Add(Secrets, source["secret"]?["name"]);
                Add(ConfigMaps, source["configMap"]?["name"]);
            }
        }
        foreach (var list in (string[])["containers", "initContainers", "ephemeralContainers"])
        {
            foreach (var container in Items(spec?[list]))
            {
                foreach (var from in Items(container["envFrom"]))
                {
                    Add(Secrets, from["secretRef"]?["name"]);
                    Add(ConfigMaps, from["configMapRef"]?["name"]);
                }
                foreach (var env in Items(container["env"]))
                {
                    Add(Secrets, env["valueFrom"]?["secretKeyRef"]?["name"]);
                    Add(ConfigMaps, env["valueFrom"]?["configMapKeyRef"]?["name"]);
                }
            }
        }
    }

    /// <summary>Names of referenced secrets.</summary>
    public HashSet<string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Names of referenced config maps.</summary>
    public HashSet<string> ConfigMaps { get; } = new(StringComparer.Ordinal);

    /// <summary>Names of referenced persistent volume claims.</summary>
    public HashSet<string> Claims { get; } = new(StringComparer.Ordinal);

    /// <summary>The pod's service account.</summary>
    public string ServiceAccount { get; }

    /// <summary>The references of a cached pod (parsed once per revision).</summary>
    public static PodReferences Of(CachedObject pod) => Known.GetValue(pod, p => new PodReferences(p.Parse()));

    private static IEnumerable<JsonObject> Items(JsonNode? node) => node is JsonArray list ? list.OfType<JsonObject>() : [];

    private static void Add(HashSet<string> set, JsonNode? name)
    {
        if (name is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0) set.Add(s);
    }
}
