using Gantry.Api.Printing;
using Gantry.Api.Strategies;

namespace Gantry.Api.Registry;

/// <summary>Looks up served resources by group/version/plural and by kind; built from <see cref="BuiltInResources"/>.</summary>
public sealed class ResourceRegistry
{
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceDefinition> _byPath = [];
    private readonly Dictionary<(string Group, string Version, string Kind), ResourceDefinition> _byKind = [];

    /// <summary>Builds a registry over the given definitions.</summary>
    public ResourceRegistry(IEnumerable<ResourceDefinition> definitions)
    {
        Resources = definitions.ToList();
        foreach (var d in Resources)
        {
            _byPath[(d.Group, d.Version, d.Plural)] = d;
            _byKind[(d.Group, d.Version, d.Kind)] = d;
        }
        GroupVersions = Resources.Select(r => (r.Group, r.Version)).Distinct().ToList();
    }

    /// <summary>The registry of every built-in resource.</summary>
    public static ResourceRegistry BuiltIn { get; } = new(BuiltInResources.All);

    /// <summary>All resources in registration order.</summary>
    public IReadOnlyList<ResourceDefinition> Resources { get; }

    /// <summary>All (group, version) pairs in registration order.</summary>
    public IReadOnlyList<(string Group, string Version)> GroupVersions { get; }

    /// <summary>Finds a resource by its URL parts.</summary>
    public ResourceDefinition? Find(string group, string version, string plural) =>
        _byPath.GetValueOrDefault((group, version, plural));

    /// <summary>Finds a resource by kind.</summary>
    public ResourceDefinition? FindKind(string group, string version, string kind) =>
        _byKind.GetValueOrDefault((group, version, kind));

    /// <summary>The strategy (defaults, validation, status split) of a resource.</summary>
    public static IResourceStrategy StrategyFor(ResourceDefinition definition) => StrategyCatalog.For(definition);

    /// <summary>The table printer of a resource.</summary>
    public static IResourcePrinter PrinterFor(ResourceDefinition definition) => PrinterCatalog.For(definition);
}
