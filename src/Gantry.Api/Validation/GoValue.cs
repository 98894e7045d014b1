using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Gantry.Api.Validation;

/// <summary>
/// Renders values the way Go's <c>%#v</c> prints them in Kubernetes' "Invalid value" messages (maps, label
/// selectors, references), so messages that users paste into searches read the same.
/// </summary>
public static class GoValue
{
    /// <summary><c>map[string]string{"a":"b", "c":"d"}</c> with keys sorted, or <c>map[string]string(nil)</c>.</summary>
    public static string StringMap(JsonObject? map)
    {
        if (map is null) return "map[string]string(nil)";
        var entries = JsonRead.StringMap(map).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{Quote(e.Key)}:{Quote(e.Value)}");
        return "map[string]string{" + string.Join(", ", entries) + "}";
    }

    /// <summary><c>[]string{"a", "b"}</c>, or <c>[]string(nil)</c>.</summary>
    public static string StringSlice(JsonArray? values) =>
        values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", JsonRead.Strings(values).Select(v => Quote(v.Value))) + "}";

    /// <summary>A metav1.LabelSelector as printed through a pointer (<c>null</c> when absent).</summary>
    public static string LabelSelector(JsonObject? selector)
    {
        if (selector is null) return "null";
        var builder = new StringBuilder("v1.LabelSelector{MatchLabels:");
        builder.Append(JsonRead.Obj(selector, "matchLabels") is { } labels ? StringMap(labels) : "map[string]string(nil)");
        builder.Append(", MatchExpressions:");
        if (JsonRead.Arr(selector, "matchExpressions") is { } expressions)
        {
            var items = JsonRead.Items(expressions).Select(e =>
                $"v1.LabelSelectorRequirement{{Key:{Quote(JsonRead.Str(e.Item, "key") ?? "")}, Operator:{Quote(JsonRead.Str(e.Item, "operator") ?? "")}, Values:{StringSlice(JsonRead.Arr(e.Item, "values"))}}}");
            builder.Append("[]v1.LabelSelectorRequirement{").AppendJoin(", ", items).Append('}');
        }
        else
        {
            builder.Append("[]v1.LabelSelectorRequirement(nil)");
        }
        return builder.Append('}').ToString();
    }

    /// <summary>An RBAC roleRef: <c>rbac.RoleRef{APIGroup:"...", Kind:"...", Name:"..."}</c>.</summary>
    public static string RoleRef(JsonObject? roleRef) =>
        $"rbac.RoleRef{{APIGroup:{Quote(JsonRead.Str(roleRef, "apiGroup") ?? "")}, Kind:{Quote(JsonRead.Str(roleRef, "kind") ?? "")}, Name:{Quote(JsonRead.Str(roleRef, "name") ?? "")}}}";

    /// <summary>A metav1.Time as Go's time.String prints it: <c>2024-01-02 03:04:05 +0000 UTC</c>.</summary>
    public static string Time(string? value)
    {
        if (value is null) return "null";
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.UtcDateTime.ToString("yyyy'-'MM'-'dd HH':'mm':'ss", CultureInfo.InvariantCulture) + " +0000 UTC"
            : value;
    }

    /// <summary>Any other value: its compact JSON, the closest readable stand-in for a Go struct dump.</summary>
    public static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>Go's <c>%q</c> of a string.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                default:
                    if (c < ' ') builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"); else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }
}
