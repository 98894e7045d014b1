using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Tables of small core and cluster kinds: Namespace, ConfigMap, Secret, ServiceAccount, Lease, PriorityClass, PodDisruptionBudget, ResourceQuota.</summary>
internal static class CorePrinters
{
    public static IResourcePrinter Namespace() => new TablePrinter(
    [Col.Name, Col.Text("Status", "The status of the namespace"), Col.Age],
    (ns, now) => [Col.NameOf(ns), JsonRead.Text(ns, "status.phase"), Age.Since(ns, now)]);

    public static IResourcePrinter ConfigMap() => new TablePrinter(
    [Col.Name, Col.Text("Data", ColumnDescriptions.ConfigMapData), Col.Age],
    (cm, now) => [Col.NameOf(cm), (long)(JsonRead.Count(cm, "data") + JsonRead.Count(cm, "binaryData")), Age.Since(cm, now)]);

    public static IResourcePrinter Secret() => new TablePrinter(
    [Col.Name, Col.Text("Type", ColumnDescriptions.SecretType), Col.Text("Data", ColumnDescriptions.SecretData), Col.Age],
    (secret, now) => [Col.NameOf(secret), JsonRead.Text(secret, "type"), (long)JsonRead.Count(secret, "data"), Age.Since(secret, now)]);

    public static IResourcePrinter ServiceAccount() => new TablePrinter(
    [Col.Name, Col.Text("Secrets", ColumnDescriptions.ServiceAccountSecrets), Col.Age],
    (sa, now) => [Col.NameOf(sa), (long)JsonRead.Count(sa, "secrets"), Age.Since(sa, now)]);

    public static IResourcePrinter Lease() => new TablePrinter(
    [Col.Name, Col.Text("Holder", ColumnDescriptions.LeaseHolderIdentity), Col.Age],
    (lease, now) => [Col.NameOf(lease), JsonRead.Text(lease, "spec.holderIdentity"), Age.Since(lease, now)]);

    public static IResourcePrinter PriorityClass() => new TablePrinter(
    [
        Col.Name,
        Col.Integer("Value", ColumnDescriptions.PriorityClassValue),
        new("Global-Default", "boolean", "", ColumnDescriptions.PriorityClassGlobalDefault),
        Col.Age,
        Col.Text("PreemptionPolicy", ColumnDescriptions.PriorityClassPreemptionPolicy),
    ], (pc, now) =>
    [
        Col.NameOf(pc), JsonRead.Int(pc, "value"), JsonRead.Bool(pc, "globalDefault") ?? false, Age.Since(pc, now),
        JsonRead.Text(pc, "preemptionPolicy"),
    ]);

    public static IResourcePrinter PodDisruptionBudget() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Min Available", "The minimum number of pods that must be available."),
        Col.Text("Max Unavailable", "The maximum number of pods that may be unavailable."),
        Col.Integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
        Col.Age,
    ], (pdb, now) =>
    [
        Col.NameOf(pdb), JsonRead.IntOrString(pdb, "spec.minAvailable") ?? "N/A", JsonRead.IntOrString(pdb, "spec.maxUnavailable") ?? "N/A",
        JsonRead.Int(pdb, "status.disruptionsAllowed"), Age.Since(pdb, now),
    ]);

    public static IResourcePrinter ResourceQuota() => new TablePrinter(
    [
        Col.Name,
        Col.Age,
        Col.Text("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        Col.Text("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    ], (quota, now) =>
    {
        // "resource: used/hard" for each hard limit, sorted by name; limits.* resources go to the Limit column.
        var requests = new List<string>();
        var limits = new List<string>();
        var hard = JsonRead.Obj(quota, "status.hard");
        var used = JsonRead.Obj(quota, "status.used");
        foreach (var (resource, value) in (hard ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = $"{resource}: {Quantity(used?[resource])}/{Quantity(value)}";
            (resource.Split('.') is [ "limits", _, ..] ? limits : requests).Add(entry);
        }
        return [Col.NameOf(quota), Age.Since(quota, now), string.Join(", ", requests), string.Join(", ", limits)];
    });

    // Quantities are stored in canonical form; a missing one is Go's zero quantity, "0".
    private static string Quantity(JsonNode? node) => JsonRead.Str(node) ?? (node is null ? "0" : node.ToJsonString());
}
