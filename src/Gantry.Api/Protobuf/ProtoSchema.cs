namespace Gantry.Api.Protobuf;

/// <summary>
/// The Kubernetes protobuf messages (from the embedded fields.tsv, generated from kubectl's own descriptors)
/// and the map from apiVersion + kind to the message that encodes it.
/// </summary>
internal sealed class ProtoSchema
{
    private const string ApiPackagePrefix = "k8s.io.api.";
    private const string MetaPackage = "k8s.io.apimachinery.pkg.apis.meta.v1";
    private const string MetaGroupVersion = "meta.k8s.io/v1";

    // Package short names whose API group is not "<name>.k8s.io".
    private static readonly Dictionary<string, string> Groups = new(StringComparer.Ordinal)
    {
        ["core"] = "",
        ["apps"] = "apps",
        ["batch"] = "batch",
        ["autoscaling"] = "autoscaling",
        ["policy"] = "policy",
        ["rbac"] = "rbac.authorization.k8s.io",
        ["flowcontrol"] = "flowcontrol.apiserver.k8s.io",
    };

    // Every group version also serves these meta/v1 kinds (metav1.AddToGroupVersion registers them).
    private static readonly string[] OptionKinds = ["DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions"];

    // meta/v1 kinds Kubernetes registers as "unversioned", under apiVersion v1.
    private static readonly string[] UnversionedKinds = ["Status", "APIVersions", "APIGroupList", "APIGroup", "APIResourceList"];

    // apimachinery types that marshal themselves to something other than an object.
    private static readonly Dictionary<string, ProtoMessageShape> Shapes = new(StringComparer.Ordinal)
    {
        [MetaPackage + ".Time"] = ProtoMessageShape.Time,
        [MetaPackage + ".MicroTime"] = ProtoMessageShape.MicroTime,
        [MetaPackage + ".FieldsV1"] = ProtoMessageShape.RawObject,
        [MetaPackage + ".Verbs"] = ProtoMessageShape.StringList,
        ["k8s.io.apimachinery.pkg.runtime.RawExtension"] = ProtoMessageShape.RawObject,
        ["k8s.io.apimachinery.pkg.api.resource.Quantity"] = ProtoMessageShape.Quantity,
        ["k8s.io.apimachinery.pkg.api.resource.QuantityValue"] = ProtoMessageShape.Quantity,
        ["k8s.io.apimachinery.pkg.util.intstr.IntOrString"] = ProtoMessageShape.IntOrString,
        ["k8s.io.api.authentication.v1.ExtraValue"] = ProtoMessageShape.StringList,
        ["k8s.io.api.authorization.v1.ExtraValue"] = ProtoMessageShape.StringList,
        ["k8s.io.api.certificates.v1.ExtraValue"] = ProtoMessageShape.StringList,
    };

    private static readonly Lazy<ProtoSchema> Loaded = new(Load);

    private readonly Dictionary<(string ApiVersion, string Kind), ProtoMessage> kinds = [];

    private ProtoSchema(Dictionary<string, ProtoMessage> messages)
    {
        var groupVersions = new HashSet<string>(StringComparer.Ordinal) { MetaGroupVersion };
        foreach (var message in messages.Values)
        {
            var lastDot = message.Name.LastIndexOf('.');
            var package = message.Name[..lastDot];
            var kind = message.Name[(lastDot + 1)..];
            var groupVersion = GroupVersionOf(package);
            if (groupVersion is null || message.Shape != ProtoMessageShape.Object) continue;
            groupVersions.Add(groupVersion);
            kinds[(groupVersion, kind)] = message;
        }
        foreach (var groupVersion in groupVersions)
            foreach (var kind in OptionKinds)
                kinds[(groupVersion, kind)] = messages[$"{MetaPackage}.{kind}"];
        foreach (var kind in UnversionedKinds)
            kinds[("v1", kind)] = messages[$"{MetaPackage}.{kind}"];
        Unknown = messages["k8s.io.apimachinery.pkg.runtime.Unknown"];
    }

    /// <summary>The schema read from the embedded table (loaded once).</summary>
    public static ProtoSchema Instance => Loaded.Value;

    /// <summary>runtime.Unknown, the envelope of every Kubernetes protobuf body.</summary>
    public ProtoMessage Unknown { get; }

    /// <summary>The message that encodes a kind, or null when the kind is not served in protobuf.</summary>
    public ProtoMessage? FindKind(string apiVersion, string kind) => kinds.GetValueOrDefault((apiVersion, kind));

    // "k8s.io.api.rbac.v1" -> "rbac.authorization.k8s.io/v1"; "k8s.io.api.core.v1" -> "v1". Top-level
    // messages only: nested names (map entries) have a capitalised segment before the last dot.
    private static string? GroupVersionOf(string package)
    {
        if (package == MetaPackage) return MetaGroupVersion;
        if (!package.StartsWith(ApiPackagePrefix, StringComparison.Ordinal)) return null;
        var parts = package[ApiPackagePrefix.Length..].Split('.');
        if (parts.Length != 2) return null;
        var group = Groups.TryGetValue(parts[0], out var known) ? known : parts[0] + ".k8s.io";
        return group.Length == 0 ? parts[1] : $"{group}/{parts[1]}";
    }

    private static ProtoSchema Load()
    {
        using var stream = typeof(ProtoSchema).Assembly.GetManifestResourceStream("Gantry.Api.Protobuf.fields.tsv")
            ?? throw new InvalidOperationException("the embedded resource Protobuf/fields.tsv is missing");
        using var reader = new StreamReader(stream);
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var cells = line.Split('\t');
            if (!messages.TryGetValue(cells[0], out var message))
            {
                message = new ProtoMessage(cells[0]) { Shape = Shapes.GetValueOrDefault(cells[0]) };
                messages.Add(cells[0], message);
            }
            // Map fields are typed "map" already; the entry marker row is there for the table's readers.
            if (cells[4] == "mapentry") continue;
            message.Add(new ProtoField(
                number: int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture),
                jsonName: cells[2],
                repeated: cells[3] == "repeated",
                type: Enum.Parse<ProtoFieldType>(cells[4], ignoreCase: true),
                typeName: cells[5],
                pointer: cells[6] == "pointer",
                inline: cells[6] == "inline"));
        }
        foreach (var message in messages.Values)
            foreach (var field in message.Fields)
                if (field.TypeName.Length > 0)
                    field.Message = messages.GetValueOrDefault(field.TypeName)
                        ?? throw new InvalidOperationException($"fields.tsv: {message.Name}.{field.JsonName} refers to unknown {field.TypeName}");
        return new ProtoSchema(messages);
    }
}
