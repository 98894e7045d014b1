using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' DefaultTolerationSeconds admission: a new pod that does not already tolerate the node controller's
/// NoExecute taints node.kubernetes.io/not-ready and node.kubernetes.io/unreachable gets tolerations of them for 300 s,
/// so its pods leave a failed node five minutes after the node is tainted instead of at once.
/// </summary>
public static class DefaultTolerationSeconds
{
    /// <summary>The not-ready taint key.</summary>
    public const string NotReadyKey = "node.kubernetes.io/not-ready";

    /// <summary>The unreachable taint key.</summary>
    public const string UnreachableKey = "node.kubernetes.io/unreachable";

    /// <summary>Kubernetes' default (--default-not-ready-toleration-seconds, --default-unreachable-toleration-seconds).</summary>
    public const long Seconds = 300;

    /// <summary>Adds the missing default tolerations to a pod (JSON) in place.</summary>
    public static void Admit(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var tolerations = spec["tolerations"] as JsonArray;
        var notReady = Tolerates(tolerations, NotReadyKey);
        var unreachable = Tolerates(tolerations, UnreachableKey);
        if (notReady && unreachable) return;
        if (tolerations is null) spec["tolerations"] = tolerations = [];
        if (!notReady) tolerations.Add((JsonNode)Toleration(NotReadyKey));
        if (!unreachable) tolerations.Add((JsonNode)Toleration(UnreachableKey));
    }

    // As upstream: a toleration with an empty key or empty effect counts as tolerating the taint (whatever its operator).
    private static bool Tolerates(JsonArray? tolerations, string key) =>
        tolerations?.OfType<JsonObject>().Any(t =>
            (string.IsNullOrEmpty(Str(t, "key")) || Str(t, "key") == key) && Str(t, "effect") is null or "" or "NoExecute") ?? false;

    private static string? Str(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonObject Toleration(string key) => new()
    {
        ["key"] = key,
        ["operator"] = "Exists",
        ["effect"] = "NoExecute",
        ["tolerationSeconds"] = Seconds,
    };
}
