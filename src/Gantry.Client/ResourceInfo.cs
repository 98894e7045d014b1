using Gantry.Api.Registry;

namespace Gantry.Client;

/// <summary>Where a resource lives in the REST API; builds its URLs.</summary>
public sealed class ResourceInfo
{
    private readonly string _collectionPrefix;

    /// <summary>Wraps a registry definition.</summary>
    public ResourceInfo(ResourceDefinition definition)
    {
        Definition = definition;
        _collectionPrefix = definition.Group.Length == 0 ? $"/api/{definition.Version}/" : $"/apis/{definition.Group}/{definition.Version}/";
    }

    /// <summary>The registry row: group, version, kind, plural, scope.</summary>
    public ResourceDefinition Definition { get; }

    /// <summary>Whether objects live in namespaces.</summary>
    public bool Namespaced => Definition.Namespaced;

    /// <summary>
    /// The resource of a KubernetesClient model type, read from its KubeGroup/KubeApiVersion/KubeKind constants and looked
    /// up in the built-in registry.
    /// </summary>
    public static ResourceInfo Of(Type modelType, ResourceRegistry registry)
    {
        var group = Constant(modelType, "KubeGroup");
        var version = Constant(modelType, "KubeApiVersion");
        var kind = Constant(modelType, "KubeKind");
        var definition = registry.FindKind(group, version, kind)
            ?? throw new ArgumentException($"{modelType.Name}: {group}/{version} {kind} is not a served resource", nameof(modelType));
        return new ResourceInfo(definition);
    }

    private static string Constant(Type type, string name) =>
        ModelConstants.Read(type, name)
        ?? throw new ArgumentException($"{type.Name} has no {name} constant; is it a KubernetesClient model?", nameof(type));

    /// <summary>The path of the collection, e.g. /api/v1/namespaces/default/pods (all namespaces when ns is null).</summary>
    public string CollectionPath(string? ns) =>
        Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{_collectionPrefix}namespaces/{Uri.EscapeDataString(ns)}/{Definition.Plural}"
            : _collectionPrefix + Definition.Plural;

    /// <summary>The path of one object, optionally of a subresource.</summary>
    public string ObjectPath(string? ns, string name, string? subresource = null)
    {
        if (Namespaced && string.IsNullOrEmpty(ns)) throw new ArgumentException($"{Definition.Plural} are namespaced: a namespace is required", nameof(ns));
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
        return subresource is null ? path : $"{path}/{subresource}";
    }
}
