using System.Text;
using System.Xml;
using k8s.Models;

namespace Gantry.Api.Schema;

/// <summary>
/// Field and type descriptions for <c>kubectl explain</c>, read from the XML documentation file the KubernetesClient
/// package ships (its summaries are the Kubernetes Go doc comments). Missing file: empty descriptions.
/// </summary>
internal static class DocComments
{
    private const string ModelPrefix = "k8s.Models.";
    private static readonly Lazy<Dictionary<string, string>> Summaries = new(Load);

    /// <summary>The description of a model type.</summary>
    public static string? ForType(Type type) => Summaries.Value.GetValueOrDefault("T:" + type.FullName);

    /// <summary>The description of a model property (by its C# name).</summary>
    public static string? ForProperty(Type type, string propertyName) =>
        Summaries.Value.GetValueOrDefault($"P:{type.FullName}.{propertyName}");

    private static Dictionary<string, string> Load()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (FindFile() is not { } path) return result;
        using var reader = XmlReader.Create(path, new XmlReaderSettings { IgnoreComments = true, DtdProcessing = DtdProcessing.Ignore });
        string? member = null;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element) continue;
            if (reader.Name == "member")
            {
                var name = reader.GetAttribute("name");
                member = name is not null && name.Length > 2 && name.AsSpan(2).StartsWith(ModelPrefix) ? name : null;
            }
            else if (reader.Name == "summary" && member is not null)
            {
                // Summaries may hold <see cref/> elements: keep their text only.
                result[member] = Normalize(System.Xml.Linq.XElement.Load(reader.ReadSubtree()).Value);
                member = null;
            }
        }
        return result;
    }

    // The generator wraps Kubernetes' one-line descriptions at 80 columns and indents them; undo that.
    private static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var part in text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(part);
        }
        return sb.ToString();
    }

    // Next to the program when the build copies package documentation; else the NuGet cache the build restored from.
    private static string? FindFile()
    {
        var assembly = typeof(V1Pod).Assembly;
        // The program's folder, not the assembly's location: a NativeAOT binary has no assembly files.
        var beside = Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml");
        if (File.Exists(beside)) return beside;

        var version = assembly.GetName().Version;
        var informational = assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        var packageVersion = informational?.Split('+')[0] ?? version?.ToString(3);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var lib = Path.Combine(cache, "kubernetesclient", packageVersion ?? "", "lib");
        if (!Directory.Exists(lib)) return null;
        var framework = $"net{Environment.Version.Major}.0";
        var preferred = Path.Combine(lib, framework, "KubernetesClient.xml");
        return File.Exists(preferred) ? preferred
            : Directory.EnumerateFiles(lib, "KubernetesClient.xml", SearchOption.AllDirectories).FirstOrDefault();
    }
}
