using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Tables of RoleBinding and ClusterRoleBinding (ROLE; wide: USERS, GROUPS, SERVICEACCOUNTS).</summary>
internal static class RbacPrinters
{
    public static IResourcePrinter RoleBinding() => Binding(ColumnDescriptions.RoleBindingRoleRef, "roleBinding");

    public static IResourcePrinter ClusterRoleBinding() => Binding(ColumnDescriptions.ClusterRoleBindingRoleRef, "clusterRoleBinding");

    private static TablePrinter Binding(string roleDescription, string noun) => new(
    [
        Col.Name,
        Col.Text("Role", roleDescription),
        Col.Age,
        Col.Wide("Users", $"Users in the {noun}"),
        Col.Wide("Groups", $"Groups in the {noun}"),
        Col.Wide("ServiceAccounts", $"ServiceAccounts in the {noun}"),
    ], Cells);

    private static JsonNode?[] Cells(JsonObject binding, DateTimeOffset now)
    {
        var subjects = JsonRead.Array(binding, "subjects");
        string Join(string kind, Func<JsonNode?, string> text) =>
            string.Join(", ", subjects.Where(s => JsonRead.Str(s, "kind") == kind).Select(text));
        return
        [
            Col.NameOf(binding),
            $"{JsonRead.Text(binding, "roleRef.kind")}/{JsonRead.Text(binding, "roleRef.name")}",
            Age.Since(binding, now),
            Join("User", s => JsonRead.Text(s, "name")),
            Join("Group", s => JsonRead.Text(s, "name")),
            Join("ServiceAccount", s => $"{JsonRead.Text(s, "namespace")}/{JsonRead.Text(s, "name")}"),
        ];
    }
}
