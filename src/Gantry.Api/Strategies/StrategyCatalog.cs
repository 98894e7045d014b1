using Gantry.Api.Registry;

namespace Gantry.Api.Strategies;

/// <summary>Maps each resource to its strategy.</summary>
public static class StrategyCatalog
{
    private static readonly IResourceStrategy Generic = new GenericStrategy(hasStatus: false);
    private static readonly IResourceStrategy GenericWithStatus = new GenericStrategy(hasStatus: true);

    /// <summary>The strategy of a resource.</summary>
    public static IResourceStrategy For(ResourceDefinition definition) =>
        definition.Subresources.Contains("status") ? GenericWithStatus : Generic;
}
