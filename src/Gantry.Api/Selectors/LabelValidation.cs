using System.Globalization;
using System.Text;

namespace Gantry.Api.Selectors;

/// <summary>
/// Label key and value rules of k8s.io/apimachinery/pkg/util/validation, with Kubernetes' exact messages
/// (including its doubled spaces in the examples), and the rendering of a field.Error as Go prints it.
/// </summary>
internal static class LabelValidation
{
    /// <summary>Problems with a label key (IsQualifiedName), joined with "; " by callers; empty when valid.</summary>
    public static List<string> KeyErrors(string key) => [.. Validation.NameFormats.QualifiedName(key)];

    /// <summary>Problems with a label value (IsValidLabelValue); empty when valid.</summary>
    public static List<string> ValueErrors(string value) => [.. Validation.NameFormats.LabelValue(value)];

    /// <summary>A field.Invalid error as Go renders it: <c>path: Invalid value: "v": detail</c>.</summary>
    public static string Invalid(string path, string renderedValue, string detail) => $"{path}: Invalid value: {renderedValue}: {detail}";

    /// <summary>A string as Go's %q prints it.</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\t': b.Append("\\t"); break;
                case '\r': b.Append("\\r"); break;
                default:
                    if (c < ' ' || c == 0x7f) b.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        return b.Append('"').ToString();
    }

    /// <summary>A string slice as Go's %#v prints it; null is a nil slice.</summary>
    public static string QuoteSlice(IReadOnlyList<string>? values) =>
        values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(Quote)) + "}";
}
