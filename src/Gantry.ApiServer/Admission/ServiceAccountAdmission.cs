using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Storage;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' ServiceAccount admission on pod create: spec.serviceAccountName defaults to "default", the named account
/// must exist, and unless the pod or its account opts out (automountServiceAccountToken false) every container and init
/// container mounts a projected <c>kube-api-access-xxxxx</c> volume (a bound token, the cluster CA from the
/// kube-root-ca.crt ConfigMap, the namespace) read-only at /var/run/secrets/kubernetes.io/serviceaccount. The
/// account's imagePullSecrets are copied to a pod that names none.
/// </summary>
/// <remarks>
/// Kubernetes retries the lookup of a missing "default" account for about a second, because the ServiceAccount
/// controller creates it just after the namespace. Here a missing "default" account is tolerated outright (the token
/// volume is still added and the kubelet waits for the account), so a pod created right after its namespace is never
/// refused; any other missing account is refused as upstream does.
/// </remarks>
internal sealed class ServiceAccountAdmission(IStore store)
{
    /// <summary>The account a pod gets when it names none.</summary>
    public const string DefaultServiceAccount = "default";

    /// <summary>Where the token volume is mounted in every container.</summary>
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Prefix of the token volume's name.</summary>
    public const string VolumePrefix = "kube-api-access-";

    /// <summary>Lifetime of the projected token: an hour plus seven seconds, which marks it as a legacy-compatible token upstream.</summary>
    public const long ExpirationSeconds = 3607;

    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";

    private static readonly ResourceDefinition ServiceAccounts = ResourceRegistry.BuiltIn.Find("", "v1", "serviceaccounts")
        ?? throw new InvalidOperationException("serviceaccounts are not registered");

    /// <summary>Admits a pod (JSON, being created in <paramref name="ns"/>) in place; 403 when its account does not exist.</summary>
    public async Task AdmitAsync(string ns, string name, JsonObject pod, CancellationToken cancellationToken)
    {
        // Mirror pods of static pods are the kubelet's: their spec is never changed.
        if (pod["metadata"]?["annotations"] is JsonObject annotations && annotations.ContainsKey(MirrorAnnotation)) return;
        if (pod["spec"] is not JsonObject spec) return;
        var accountName = Str(spec["serviceAccountName"]);
        if (string.IsNullOrEmpty(accountName))
        {
            accountName = DefaultServiceAccount;
            spec["serviceAccountName"] = accountName;
            spec["serviceAccount"] = accountName;
        }
        var stored = await store.GetAsync(ServiceAccounts.KeyFor(ns, accountName), cancellationToken).ConfigureAwait(false);
        var account = stored is null ? null : JsonNode.Parse(stored.Value.Span) as JsonObject;
        if (account is null && accountName != DefaultServiceAccount)
            throw ApiException.Forbidden(
                $"pods \"{name}\" is forbidden: error looking up service account {ns}/{accountName}: serviceaccount \"{accountName}\" not found",
                new JsonObject { ["name"] = name, ["kind"] = "pods" });
        if (ShouldAutomount(spec, account)) MountToken(spec);
        if (spec["imagePullSecrets"] is not JsonArray { Count: > 0 } && account?["imagePullSecrets"] is JsonArray { Count: > 0 } pullSecrets)
            spec["imagePullSecrets"] = pullSecrets.DeepClone();
    }

    /// <summary>The pod's own setting wins over its account's; both unset means mount.</summary>
    private static bool ShouldAutomount(JsonObject spec, JsonObject? account) =>
        Bool(spec["automountServiceAccountToken"]) ?? Bool(account?["automountServiceAccountToken"]) ?? true;

    private static void MountToken(JsonObject spec)
    {
        var volumes = spec["volumes"] as JsonArray;
        var volumeName = (volumes ?? []).OfType<JsonObject>().Select(v => Str(v["name"]) ?? "").FirstOrDefault(n => n.StartsWith(VolumePrefix, StringComparison.Ordinal));
        var hasVolume = volumeName is not null;
        volumeName ??= VolumePrefix + RandomSuffix();
        var needsVolume = false;
        foreach (var field in new[] { "initContainers", "containers" })
        {
            foreach (var container in (spec[field] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (container["volumeMounts"] is not JsonArray mounts) container["volumeMounts"] = mounts = [];
                // A container that mounts something at the token path already keeps it.
                if (mounts.OfType<JsonObject>().Any(m => Str(m["mountPath"]) == MountPath)) continue;
                mounts.Add((JsonNode)new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
                needsVolume = true;
            }
        }
        if (hasVolume || !needsVolume) return;
        if (volumes is null) spec["volumes"] = volumes = [];
        volumes.Add((JsonNode)TokenVolume(volumeName));
    }

    /// <summary>The projected volume exactly as the admission plugin writes it (defaultMode set explicitly, 0644).</summary>
    private static JsonObject TokenVolume(string name) => new()
    {
        ["name"] = name,
        ["projected"] = new JsonObject
        {
            ["sources"] = new JsonArray(
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = ExpirationSeconds, ["path"] = "token" } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray(new JsonObject
                        {
                            ["path"] = "namespace",
                            ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                        }),
                    },
                }),
            ["defaultMode"] = 420,
        },
    };

    // Like the plugin's utilrand.String(5): a volume name, not a secret, so the fast pseudo-random generator (the
    // cryptographic one cost a call into OpenSSL per character of every pod's create).
    private static string RandomSuffix() => string.Create(5, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = NameChars[Random.Shared.Next(NameChars.Length)];
    });

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool? Bool(JsonNode? node) => node is JsonValue v ? v.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    } : null;
}
