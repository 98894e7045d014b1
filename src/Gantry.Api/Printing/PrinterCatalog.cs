using Gantry.Api.Registry;

namespace Gantry.Api.Printing;

/// <summary>Maps each resource to its table printer.</summary>
public static class PrinterCatalog
{
    private static readonly IResourcePrinter Default = new NameAgePrinter();

    /// <summary>The printer of a resource.</summary>
    public static IResourcePrinter For(ResourceDefinition definition) => Default;
}
