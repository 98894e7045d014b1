using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gantry.Api.Selectors;

/// <summary>
/// Label key and value rules of k8s.io/apimachinery/pkg/util/validation, with Kubernetes' exact messages
/// (including its doubled spaces in the examples), and the rendering of a field.Error as Go prints it.
/// </summary>
internal static partial class LabelValidation
{
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    [GeneratedRegex("^" + QualifiedNameFormat + "$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^" + SubdomainFormat + "$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^(" + QualifiedNameFormat + ")?$")]
    private static partial Regex LabelValue();

    /// <summary>Problems with a label key (IsQualifiedName), joined with "; " by callers; empty when valid.</summary>
    public static List<string> KeyErrors(string key)
    {
        var errors = new List<string>();
        var parts = key.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                    errors.Add("prefix part must be non-empty");
                else
                {
                    if (prefix.Length > 253) errors.Add("prefix part must be no more than 253 characters");
                    if (!Subdomain().IsMatch(prefix)) errors.Add("prefix part " + RegexError(SubdomainMessage, SubdomainFormat, "example.com"));
                }
                break;
            default:
                errors.Add("a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc") +
                           " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }
        if (name.Length == 0) errors.Add("name part must be non-empty");
        else if (name.Length > 63) errors.Add("name part must be no more than 63 characters");
        if (!QualifiedName().IsMatch(name)) errors.Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        return errors;
    }

    /// <summary>Problems with a label value (IsValidLabelValue); empty when valid.</summary>
    public static List<string> ValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63) errors.Add("must be no more than 63 characters");
        if (!LabelValue().IsMatch(value)) errors.Add(RegexError(LabelValueMessage, "(" + QualifiedNameFormat + ")?", "MyValue", "my_value", "12345"));
        return errors;
    }

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

    // validation.RegexError: its examples are joined with " or " after a trailing ", ", hence the double spaces.
    private static string RegexError(string message, string format, params string[] examples)
    {
        var b = new StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0) b.Append(" or ");
            b.Append('\'').Append(examples[i]).Append("', ");
        }
        return b.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }
}
