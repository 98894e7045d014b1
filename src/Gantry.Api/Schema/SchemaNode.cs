namespace Gantry.Api.Schema;

/// <summary>One node of a precomputed schema tree: what a field accepts and, for structs, their fields.</summary>
internal sealed class SchemaNode
{
    /// <summary>What JSON this node accepts.</summary>
    public required SchemaNodeKind Kind { get; init; }

    /// <summary>The Go type as encoding/json prints it in errors, e.g. <c>[]v1.Container</c>.</summary>
    public required string GoType { get; init; }

    /// <summary>For structs: the Go struct name (PodSpec) that type errors of its fields name.</summary>
    public string? StructName { get; init; }

    /// <summary>For structs: fields by JSON name. Filled after the node is created so recursive types terminate.</summary>
    public Dictionary<string, SchemaNode>? Properties { get; set; }

    /// <summary>For arrays and maps: the node of the items or values.</summary>
    public SchemaNode? Element { get; init; }
}
