using System.Text.RegularExpressions;

namespace Gantry.Api.Validation;

/// <summary>
/// Kubernetes' string format checks (k8s.io/apimachinery/pkg/util/validation): each returns the failure messages,
/// worded exactly as Kubernetes words them, or an empty list when the value is valid.
/// </summary>
public static partial class NameFormats
{
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";
    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string Dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string ConfigMapKeyFormat = "[-._a-zA-Z0-9]+";

    /// <summary>A DNS-1123 label (namespaces, container and volume names): at most 63 characters.</summary>
    public static IReadOnlyList<string> Dns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63) errors.Add(MaxLength(63));
        if (!Dns1123LabelRegex().IsMatch(value))
            errors.Add(RegexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                Dns1123LabelFormat, "my-name", "123-abc"));
        return errors;
    }

    /// <summary>A DNS-1123 subdomain (most object names): at most 253 characters.</summary>
    public static IReadOnlyList<string> Dns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253) errors.Add(MaxLength(253));
        if (!Dns1123SubdomainRegex().IsMatch(value))
            errors.Add(RegexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                Dns1123SubdomainFormat, "example.com"));
        return errors;
    }

    /// <summary>A DNS-1035 label (service names): starts with a letter, at most 63 characters.</summary>
    public static IReadOnlyList<string> Dns1035Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63) errors.Add(MaxLength(63));
        if (!Dns1035LabelRegex().IsMatch(value))
            errors.Add(RegexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                Dns1035LabelFormat, "my-name", "abc-123"));
        return errors;
    }

    /// <summary>A qualified name (label and annotation keys, finalizers): optional DNS subdomain prefix and '/', then a name part.</summary>
    public static IReadOnlyList<string> QualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0) errors.Add("prefix part must be non-empty");
                else errors.AddRange(Dns1123Subdomain(parts[0]).Select(m => "prefix part " + m));
                break;
            default:
                return ["a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc") +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }
        if (name.Length == 0) errors.Add("name part must be non-empty");
        else if (name.Length > 63) errors.Add("name part " + MaxLength(63));
        if (!QualifiedNameRegex().IsMatch(name))
            errors.Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        return errors;
    }

    /// <summary>A label value: empty, or at most 63 characters of the qualified-name alphabet.</summary>
    public static IReadOnlyList<string> LabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63) errors.Add(MaxLength(63));
        if (!LabelValueRegex().IsMatch(value))
            errors.Add(RegexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                LabelValueFormat, "MyValue", "my_value", "12345"));
        return errors;
    }

    /// <summary>An IANA service name (container and service port names).</summary>
    public static IReadOnlyList<string> PortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > 15) errors.Add(MaxLength(15));
        if (!PortNameCharsRegex().IsMatch(value)) errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!value.Any(c => c is >= 'a' and <= 'z')) errors.Add("must contain at least one letter (a-z)");
        if (value.Contains("--", StringComparison.Ordinal)) errors.Add("must not contain consecutive hyphens (--)");
        if (value.Length > 0 && (value[0] == '-' || value[^1] == '-')) errors.Add("must not begin or end with a hyphen (-)");
        return errors;
    }

    /// <summary>A port number, 1 to 65535.</summary>
    public static IReadOnlyList<string> PortNumber(long value) =>
        value is >= 1 and <= 65535 ? [] : [InclusiveRange(1, 65535)];

    /// <summary>A ConfigMap or Secret data key.</summary>
    public static IReadOnlyList<string> ConfigMapKey(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253) errors.Add(MaxLength(253));
        if (!ConfigMapKeyRegex().IsMatch(value))
            errors.Add(RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", ConfigMapKeyFormat, "key.name", "KEY_NAME", "key-name"));
        if (value == ".") errors.Add("must not be '.'");
        else if (value == "..") errors.Add("must not be '..'");
        else if (value.StartsWith("..", StringComparison.Ordinal)) errors.Add("must not start with '..'");
        return errors;
    }

    /// <summary>An environment variable name under Kubernetes 1.32's relaxed rule (RelaxedEnvironmentVariableValidation, on by default).</summary>
    public static IReadOnlyList<string> EnvVarName(string value)
    {
        var errors = new List<string>();
        if (value.Length == 0) errors.Add("environment variable name must be non-empty");
        if (!value.All(c => c is >= ' ' and <= '~' && c != '='))
            errors.Add("a valid environment variable name must consist only of printable ASCII characters other than '='");
        return errors;
    }

    /// <summary>A name that is one URL path segment (RBAC objects): not '.' or '..', no '/' or '%'.</summary>
    public static IReadOnlyList<string> PathSegmentName(string value)
    {
        if (value is "." or "..") return [$"may not be '{value}'"];
        var errors = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
            if (value.Contains(illegal, StringComparison.Ordinal)) errors.Add($"may not contain '{illegal}'");
        return errors;
    }

    /// <summary>"must be between lo and hi, inclusive".</summary>
    public static string InclusiveRange(long low, long high) => $"must be between {low} and {high}, inclusive";

    /// <summary>"must be no more than n characters".</summary>
    public static string MaxLength(int length) => $"must be no more than {length} characters";

    private static string RegexError(string message, string format, params string[] examples)
    {
        var text = message + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0) text += " or ";
            text += "'" + examples[i] + "', ";
        }
        return text + "regex used for validation is '" + format + "')";
    }

    [GeneratedRegex("^" + Dns1123LabelFormat + "\\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^" + Dns1123SubdomainFormat + "\\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^" + Dns1035LabelFormat + "\\z")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^" + QualifiedNameFormat + "\\z")]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^" + LabelValueFormat + "\\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^[-a-z0-9]+\\z")]
    private static partial Regex PortNameCharsRegex();

    [GeneratedRegex("^" + ConfigMapKeyFormat + "\\z")]
    private static partial Regex ConfigMapKeyRegex();
}
