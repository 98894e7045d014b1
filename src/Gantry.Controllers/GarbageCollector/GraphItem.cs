namespace Gantry.Controllers.GarbageCollector;

/// <summary>A work-queue key of the garbage collector: one object of one resource ("replicasets.apps").</summary>
/// <param name="Resource">The resource id, plural.group (plural alone for the core group).</param>
/// <param name="Namespace">The namespace; null for cluster-scoped objects.</param>
/// <param name="Name">The object's name.</param>
internal readonly record struct GraphItem(string Resource, string? Namespace, string Name)
{
    /// <summary>The id of a resource: plural.group, or the plural alone for the core group.</summary>
    public static string ResourceId(Gantry.Api.Registry.ResourceDefinition definition) =>
        definition.Group.Length == 0 ? definition.Plural : $"{definition.Plural}.{definition.Group}";

    /// <inheritdoc />
    public override string ToString() => $"{Resource} {Namespace}/{Name}";
}
