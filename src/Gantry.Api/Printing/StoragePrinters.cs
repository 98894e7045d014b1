using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Tables of PersistentVolume, PersistentVolumeClaim and StorageClass.</summary>
internal static class StoragePrinters
{
    private const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public static IResourcePrinter PersistentVolume() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Capacity", ColumnDescriptions.PersistentVolumeCapacity),
        Col.Text("Access Modes", ColumnDescriptions.PersistentVolumeAccessModes),
        Col.Text("Reclaim Policy", ColumnDescriptions.PersistentVolumeReclaimPolicy),
        Col.Text("Status", ColumnDescriptions.PersistentVolumePhase),
        Col.Text("Claim", ColumnDescriptions.PersistentVolumeClaimRef),
        Col.Text("StorageClass", "StorageClass of the pv"),
        Col.Text("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
        Col.Text("Reason", ColumnDescriptions.PersistentVolumeReason),
        Col.Age,
        Col.Wide("VolumeMode", ColumnDescriptions.PersistentVolumeVolumeMode),
    ], (pv, now) =>
    {
        var claim = JsonRead.Obj(pv, "spec.claimRef") is { } claimRef
            ? $"{JsonRead.Text(claimRef, "namespace")}/{JsonRead.Text(claimRef, "name")}"
            : "";
        return
        [
            Col.NameOf(pv), Quantity(pv, "spec.capacity.storage"), AccessModes(JsonRead.Array(pv, "spec.accessModes")),
            JsonRead.Text(pv, "spec.persistentVolumeReclaimPolicy"), Phase(pv), claim,
            StorageClassOf(pv) ?? JsonRead.Text(pv, "spec.storageClassName"),
            JsonRead.Str(pv, "spec.volumeAttributesClassName") ?? "<unset>",
            JsonRead.Text(pv, "status.reason"), Age.Since(pv, now),
            JsonRead.Str(pv, "spec.volumeMode") ?? "<unset>",
        ];
    });

    public static IResourcePrinter PersistentVolumeClaim() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Status", ColumnDescriptions.ClaimPhase),
        Col.Text("Volume", ColumnDescriptions.ClaimVolumeName),
        Col.Text("Capacity", ColumnDescriptions.ClaimCapacity),
        Col.Text("Access Modes", ColumnDescriptions.ClaimAccessModes),
        Col.Text("StorageClass", "StorageClass of the pvc"),
        Col.Text("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
        Col.Age,
        Col.Wide("VolumeMode", ColumnDescriptions.ClaimVolumeMode),
    ], (pvc, now) =>
    {
        var volume = JsonRead.Text(pvc, "spec.volumeName");
        // Capacity and access modes are only meaningful once the claim is bound to a volume.
        var bound = volume.Length > 0;
        return
        [
            Col.NameOf(pvc), Phase(pvc), volume,
            bound ? Quantity(pvc, "status.capacity.storage") : "",
            bound ? AccessModes(JsonRead.Array(pvc, "status.accessModes")) : "",
            StorageClassOf(pvc) ?? JsonRead.Text(pvc, "spec.storageClassName"),
            JsonRead.Str(pvc, "spec.volumeAttributesClassName") ?? "<unset>",
            Age.Since(pvc, now),
            JsonRead.Str(pvc, "spec.volumeMode") ?? "<unset>",
        ];
    });

    public static IResourcePrinter StorageClass() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Provisioner", ColumnDescriptions.StorageClassProvisioner),
        Col.Text("ReclaimPolicy", ColumnDescriptions.StorageClassReclaimPolicy),
        Col.Text("VolumeBindingMode", ColumnDescriptions.StorageClassVolumeBindingMode),
        Col.Text("AllowVolumeExpansion", ColumnDescriptions.StorageClassAllowVolumeExpansion),
        Col.Age,
    ], (sc, now) =>
    [
        IsDefault(sc) ? Col.NameOf(sc) + " (default)" : Col.NameOf(sc),
        JsonRead.Text(sc, "provisioner"),
        JsonRead.Str(sc, "reclaimPolicy") ?? "Delete",
        JsonRead.Str(sc, "volumeBindingMode") ?? "Immediate",
        JsonRead.Bool(sc, "allowVolumeExpansion") ?? false,
        Age.Since(sc, now),
    ]);

    // Always in the order RWO,ROX,RWX,RWOP, whatever the order and repetitions of the list.
    private static string AccessModes(IList<JsonNode?> modes)
    {
        var set = modes.Select(m => JsonRead.Str(m)).ToHashSet();
        var names = new List<string>();
        if (set.Contains("ReadWriteOnce")) names.Add("RWO");
        if (set.Contains("ReadOnlyMany")) names.Add("ROX");
        if (set.Contains("ReadWriteMany")) names.Add("RWX");
        if (set.Contains("ReadWriteOncePod")) names.Add("RWOP");
        return string.Join(",", names);
    }

    private static string Phase(JsonObject obj) =>
        JsonRead.Str(obj, "metadata.deletionTimestamp") is { Length: > 0 } ? "Terminating" : JsonRead.Text(obj, "status.phase");

    // The beta annotation, when present, wins over spec.storageClassName.
    private static string? StorageClassOf(JsonObject obj) =>
        JsonRead.Obj(obj, "metadata.annotations") is { } annotations && annotations.TryGetPropertyValue(BetaStorageClassAnnotation, out var value)
            ? JsonRead.Str(value) ?? ""
            : null;

    private static bool IsDefault(JsonObject sc)
    {
        var annotations = JsonRead.Obj(sc, "metadata.annotations");
        return JsonRead.Str(annotations?["storageclass.kubernetes.io/is-default-class"]) == "true" ||
               JsonRead.Str(annotations?["storageclass.beta.kubernetes.io/is-default-class"]) == "true";
    }

    private static string Quantity(JsonObject obj, string path) => JsonRead.Str(obj, path) ?? "0";
}
