using System.Text.Json.Nodes;
using k8s.Models;

namespace Gantry.Api.Schema;

/// <summary>
/// Collects the schemas one OpenAPI document references and writes them, with everything they reference in turn,
/// as <c>components.schemas</c> under Kubernetes' definition names, shaped like the Kubernetes 1.32 v3 documents.
/// </summary>
internal sealed class OpenApiComponents
{
    private const string RefPrefix = "#/components/schemas/";

    // Definitions that are Go types with custom JSON forms, not generated model classes.
    private static readonly Dictionary<string, JsonObject> Leaves = new()
    {
        [ModelCatalog.QuantityDefinition] = Leaf("string", null,
            "Quantity is a fixed-point representation of a number, written as a string such as \"100m\", \"1.5Gi\" or \"2\" (a plain number is accepted too). It is the unit of CPU, memory and other resource amounts."),
        [ModelCatalog.IntOrStringDefinition] = Leaf("string", "int-or-string",
            "IntOrString is a type that can hold an int32 or a string. In JSON and YAML it is written as the inner value, so a field can accept a port name or a port number."),
        [ModelCatalog.TimeDefinition] = Leaf("string", "date-time",
            "Time is a timestamp with second precision, written in RFC 3339 form, e.g. 2024-01-01T00:00:00Z."),
        [ModelCatalog.MicroTimeDefinition] = Leaf("string", "date-time",
            "MicroTime is a timestamp with microsecond precision, written in RFC 3339 form with six fractional digits."),
        [ModelCatalog.RawExtensionDefinition] = Leaf("object", null,
            "RawExtension holds an embedded object of any kind as raw JSON."),
        [ModelCatalog.FieldsV1Definition] = Leaf("object", null,
            "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format."),
        // The client model of the PATCH body carries client-side properties; on the wire it is any patch document.
        [ModelCatalog.PatchDefinition] = Leaf("object", null,
            "Patch is the body of a PATCH request: a JSON patch, merge patch, strategic merge patch or apply configuration, by content type."),
    };

    private readonly HashSet<Type> _types = [];
    private readonly HashSet<string> _leaves = [];

    /// <summary>A <c>$ref</c> object to the schema of a model type; the type's schema is written into the document.</summary>
    public JsonObject Ref(Type modelType)
    {
        _types.Add(modelType);
        return new JsonObject { ["$ref"] = RefPrefix + ModelCatalog.DefinitionName(modelType) };
    }

    /// <summary>Every referenced schema and its dependencies, sorted by name.</summary>
    public JsonObject Build()
    {
        var written = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var queue = new Queue<Type>(_types);
        var seen = new HashSet<Type>(_types);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            var name = ModelCatalog.DefinitionName(type);
            written[name] = Leaves.TryGetValue(name, out var leaf) ? (JsonObject)leaf.DeepClone() : ModelSchema(type, t =>
            {
                if (seen.Add(t)) queue.Enqueue(t);
            });
        }
        foreach (var leaf in _leaves) written[leaf] = (JsonObject)Leaves[leaf].DeepClone();
        var schemas = new JsonObject();
        foreach (var (name, schema) in written) schemas[name] = schema;
        return schemas;
    }

    private JsonObject ModelSchema(Type type, Action<Type> need)
    {
        var definition = ModelCatalog.DefinitionName(type);
        var schema = new JsonObject();
        if (DocComments.ForType(type) is { } description) schema["description"] = description;
        var properties = new JsonObject();
        foreach (var (name, property) in SchemaTree.JsonProperties(type).OrderBy(p => p.JsonName, StringComparer.Ordinal))
        {
            var facts = SchemaFacts.For(definition, name);
            var field = facts?.Ref is { } reference ? LeafRef(LeafName(reference)) : Value(property.PropertyType, need, item: false);
            if (DocComments.ForProperty(type, property.Name) is { } doc) field["description"] = doc;
            AddExtensions(field, facts);
            properties[name] = field;
        }
        schema["properties"] = properties;
        var typeFacts = SchemaFacts.For(definition, "");
        if (typeFacts is { Required.Count: > 0 })
            schema["required"] = new JsonArray(typeFacts.Required.Select(r => (JsonNode)r).ToArray());
        schema["type"] = "object";
        if (ModelCatalog.KindOf(type) is { } gvk)
            schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(gvk.Group, gvk.Version, gvk.Kind));
        AddExtensions(schema, typeFacts);
        return schema;
    }

    /// <summary>The <c>{group, kind, version}</c> object Kubernetes puts in x-kubernetes-group-version-kind.</summary>
    public static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    private JsonObject Value(Type type, Action<Type> need, bool item)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return Scalar("string", null);
        if (type == typeof(int)) return Scalar("integer", "int32");
        if (type == typeof(long)) return Scalar("integer", "int64");
        if (type == typeof(double) || type == typeof(float)) return Scalar("number", "double");
        if (type == typeof(bool)) return Scalar("boolean", null);
        if (type == typeof(byte[])) return Scalar("string", "byte");
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return LeafRef(ModelCatalog.TimeDefinition);
        if (type == typeof(IntOrString)) return LeafRef(ModelCatalog.IntOrStringDefinition);
        if (type == typeof(ResourceQuantity)) return LeafRef(ModelCatalog.QuantityDefinition);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>))
            return new JsonObject { ["items"] = Value(type.GetGenericArguments()[0], need, item: true), ["type"] = "array" };
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            return new JsonObject { ["additionalProperties"] = Value(type.GetGenericArguments()[1], need, item: true), ["type"] = "object" };
        if (ModelCatalog.IsModel(type))
        {
            need(type);
            var reference = new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = RefPrefix + ModelCatalog.DefinitionName(type) }) };
            if (item) reference["default"] = new JsonObject();
            return reference;
        }
        return LeafRef(ModelCatalog.RawExtensionDefinition);
    }

    private JsonObject LeafRef(string definition)
    {
        _leaves.Add(definition);
        return new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = RefPrefix + definition }) };
    }

    private static string LeafName(string reference) => reference switch
    {
        "MicroTime" => ModelCatalog.MicroTimeDefinition,
        "FieldsV1" => ModelCatalog.FieldsV1Definition,
        _ => ModelCatalog.RawExtensionDefinition,
    };

    private static JsonObject Scalar(string type, string? format)
    {
        var schema = new JsonObject();
        if (format is not null) schema["format"] = format;
        schema["type"] = type;
        return schema;
    }

    private static JsonObject Leaf(string type, string? format, string description)
    {
        var schema = new JsonObject { ["description"] = description };
        if (format is not null) schema["format"] = format;
        schema["type"] = type;
        return schema;
    }

    private static void AddExtensions(JsonObject schema, SchemaFacts.Facts? facts)
    {
        if (facts is null) return;
        if (facts.EmbeddedResource) schema["x-kubernetes-embedded-resource"] = true;
        if (facts.IntOrString) schema["x-kubernetes-int-or-string"] = true;
        if (facts.ListMapKeys is { } keys) schema["x-kubernetes-list-map-keys"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray());
        if (facts.ListType is { } listType) schema["x-kubernetes-list-type"] = listType;
        if (facts.MapType is { } mapType) schema["x-kubernetes-map-type"] = mapType;
        if (facts.PatchMergeKey is { } mergeKey) schema["x-kubernetes-patch-merge-key"] = mergeKey;
        if (facts.PatchStrategy is { } strategy) schema["x-kubernetes-patch-strategy"] = strategy;
        if (facts.PreserveUnknownFields) schema["x-kubernetes-preserve-unknown-fields"] = true;
    }
}
