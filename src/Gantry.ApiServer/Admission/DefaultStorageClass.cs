using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.Storage;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' DefaultStorageClass admission: a new PersistentVolumeClaim that names no class (neither
/// spec.storageClassName, even empty, nor the beta annotation) gets the default StorageClass — the one annotated
/// storageclass.kubernetes.io/is-default-class "true" (or the beta spelling); with several, the newest, then the first
/// by name. Without a default class the claim is left alone.
/// </summary>
public static class DefaultStorageClass
{
    private const string BetaClassAnnotation = "volume.beta.kubernetes.io/storage-class";
    private const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";
    private const string BetaDefaultAnnotation = "storageclass.beta.kubernetes.io/is-default-class";

    private static readonly ResourceDefinition StorageClasses = ResourceRegistry.BuiltIn.Find("storage.k8s.io", "v1", "storageclasses")
        ?? throw new InvalidOperationException("storageclasses are not registered");

    /// <summary>Sets spec.storageClassName of a claim (JSON, being created) to the default class, when it names none.</summary>
    public static async Task AdmitAsync(IStore store, JsonObject claim, CancellationToken cancellationToken)
    {
        if (claim["metadata"]?["annotations"]?[BetaClassAnnotation] is not null) return;
        if (claim["spec"] is not JsonObject spec || spec.ContainsKey("storageClassName") && spec["storageClassName"] is not null) return;
        var classes = await store.ListAsync(StorageClasses.KeyPrefix, ListRequest.All, cancellationToken).ConfigureAwait(false);
        string? chosen = null;
        var chosenCreated = "";
        foreach (var item in classes.Items)
        {
            if (JsonNode.Parse(item.Value.Span) is not JsonObject storageClass || !IsDefault(storageClass)) continue;
            var name = Str(storageClass["metadata"]?["name"]) ?? "";
            // RFC 3339 timestamps of one format sort as strings; the newest wins, then the smallest name.
            var created = Str(storageClass["metadata"]?["creationTimestamp"]) ?? "";
            var order = string.CompareOrdinal(created, chosenCreated);
            if (chosen is null || order > 0 || (order == 0 && string.CompareOrdinal(name, chosen) < 0))
            {
                chosen = name;
                chosenCreated = created;
            }
        }
        if (chosen is not null) spec["storageClassName"] = chosen;
    }

    private static bool IsDefault(JsonObject storageClass) =>
        storageClass["metadata"]?["annotations"] is JsonObject annotations
        && (Str(annotations[DefaultAnnotation]) == "true" || Str(annotations[BetaDefaultAnnotation]) == "true");

    private static string? Str(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
