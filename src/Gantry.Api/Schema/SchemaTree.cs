using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Gantry.Api.Schema;

/// <summary>
/// Builds, once per kind, the tree of <see cref="SchemaNode"/>s the checker walks, from the model type's
/// <c>[JsonPropertyName]</c> properties plus <see cref="SchemaFacts"/>. Reflection happens here only.
/// </summary>
internal static class SchemaTree
{
    private static readonly ConcurrentDictionary<(string, string, string), SchemaNode?> Roots = new();
    private static readonly Dictionary<Type, SchemaNode> Structs = [];
    private static readonly Lock BuildLock = new();

    /// <summary>The tree of a kind, or null when the kind has no model type.</summary>
    public static SchemaNode? For(string group, string version, string kind) =>
        Roots.GetOrAdd((group, version, kind), static key =>
            ModelCatalog.TypeOf(key.Item1, key.Item2, key.Item3) is { } type ? ForType(type) : null);

    /// <summary>The tree of a model type.</summary>
    public static SchemaNode ForType(Type modelType)
    {
        lock (BuildLock) return Struct(modelType);
    }

    /// <summary>The JSON-named properties of a model type, in declaration order.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "KubernetesClient's k8s.Models namespace is a trimming root of the NativeAOT build (Gantry.Cli.csproj).")]
    public static IEnumerable<(string JsonName, PropertyInfo Property)> JsonProperties(Type modelType) =>
        modelType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p))
            .Where(x => x.Name is not null)
            .Select(x => (x.Name!, x.p));

    private static SchemaNode Struct(Type type)
    {
        if (Structs.TryGetValue(type, out var existing)) return existing;
        var node = new SchemaNode
        {
            Kind = SchemaNodeKind.Object,
            GoType = $"{ModelCatalog.GoPackage(type)}.{ModelCatalog.GoName(type)}",
            StructName = ModelCatalog.GoName(type),
        };
        Structs[type] = node;
        var properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        foreach (var (name, property) in JsonProperties(type))
            properties[name] = Field(property.PropertyType, SchemaFacts.For(type, name));
        node.Properties = properties;
        return node;
    }

    private static SchemaNode Field(Type type, SchemaFacts.Facts? facts)
    {
        if (facts?.Ref is { } reference)
            return reference == "MicroTime"
                ? Leaf(SchemaNodeKind.Time, "v1.MicroTime")
                : Leaf(SchemaNodeKind.Any, reference == "FieldsV1" ? "v1.FieldsV1" : "runtime.RawExtension");
        return Value(type);
    }

    private static SchemaNode Value(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return Leaf(SchemaNodeKind.String, "string");
        if (type == typeof(int)) return Leaf(SchemaNodeKind.Int32, "int32");
        if (type == typeof(long)) return Leaf(SchemaNodeKind.Int64, "int64");
        if (type == typeof(double) || type == typeof(float)) return Leaf(SchemaNodeKind.Number, "float64");
        if (type == typeof(bool)) return Leaf(SchemaNodeKind.Boolean, "bool");
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return Leaf(SchemaNodeKind.Time, "v1.Time");
        if (type == typeof(byte[])) return Leaf(SchemaNodeKind.Bytes, "[]uint8");
        if (type == typeof(IntOrString)) return Leaf(SchemaNodeKind.IntOrString, "intstr.IntOrString");
        if (type == typeof(ResourceQuantity)) return Leaf(SchemaNodeKind.Quantity, "resource.Quantity");
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>))
        {
            var item = Value(type.GetGenericArguments()[0]);
            return new SchemaNode { Kind = SchemaNodeKind.Array, GoType = "[]" + item.GoType, Element = item };
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>))
        {
            var item = Value(type.GetGenericArguments()[1]);
            return new SchemaNode { Kind = SchemaNodeKind.Map, GoType = "map[string]" + item.GoType, Element = item };
        }
        if (ModelCatalog.IsModel(type)) return Struct(type);
        return Leaf(SchemaNodeKind.Any, "runtime.RawExtension");
    }

    private static SchemaNode Leaf(SchemaNodeKind kind, string goType) => new() { Kind = kind, GoType = goType };
}
