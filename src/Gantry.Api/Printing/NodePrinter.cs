using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>The node table: STATUS from the Ready condition and cordoning, ROLES from the role labels.</summary>
internal static class NodePrinter
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string LegacyRoleLabel = "kubernetes.io/role";

    public static IResourcePrinter Create() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Status", "The status of the node"),
        Col.Text("Roles", "The roles of the node"),
        Col.Age,
        Col.Text("Version", ColumnDescriptions.NodeKubeletVersion),
        Col.Wide("Internal-IP", ColumnDescriptions.NodeAddresses),
        Col.Wide("External-IP", ColumnDescriptions.NodeAddresses),
        Col.Wide("OS-Image", ColumnDescriptions.NodeOSImage),
        Col.Wide("Kernel-Version", ColumnDescriptions.NodeKernelVersion),
        Col.Wide("Container-Runtime", ColumnDescriptions.NodeContainerRuntimeVersion),
    ], Cells);

    private static JsonNode?[] Cells(JsonObject node, DateTimeOffset now)
    {
        var status = new List<string>();
        // Only the Ready condition shows; the last one of that type wins, as a map keyed by type does in Go.
        var readyCondition = JsonRead.Array(node, "status.conditions").LastOrDefault(c => JsonRead.Str(c, "type") == "Ready");
        if (readyCondition is not null) status.Add(JsonRead.Str(readyCondition, "status") == "True" ? "Ready" : "NotReady");
        if (status.Count == 0) status.Add("Unknown");
        if (JsonRead.Bool(node, "spec.unschedulable") == true) status.Add("SchedulingDisabled");

        var roles = string.Join(",", Roles(JsonRead.Obj(node, "metadata.labels")));
        var info = JsonRead.Obj(node, "status.nodeInfo");
        return
        [
            Col.NameOf(node), string.Join(",", status), roles.Length == 0 ? "<none>" : roles, Age.Since(node, now),
            JsonRead.Text(info, "kubeletVersion"),
            Address(node, "InternalIP"), Address(node, "ExternalIP"),
            UnknownIfEmpty(JsonRead.Text(info, "osImage")),
            UnknownIfEmpty(JsonRead.Text(info, "kernelVersion")),
            UnknownIfEmpty(JsonRead.Text(info, "containerRuntimeVersion")),
        ];
    }

    // Roles come from node-role.kubernetes.io/<role> keys and the legacy kubernetes.io/role value, sorted for a stable order.
    private static SortedSet<string> Roles(JsonObject? labels)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? [])
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && key.Length > RoleLabelPrefix.Length)
                roles.Add(key[RoleLabelPrefix.Length..]);
            else if (key == LegacyRoleLabel && JsonRead.Str(value) is { Length: > 0 } role)
                roles.Add(role);
        }
        return roles;
    }

    private static string Address(JsonObject node, string type) =>
        JsonRead.Array(node, "status.addresses").FirstOrDefault(a => JsonRead.Str(a, "type") == type) is { } address
            ? JsonRead.Text(address, "address")
            : "<none>";

    private static string UnknownIfEmpty(string s) => s.Length == 0 ? "<unknown>" : s;
}
