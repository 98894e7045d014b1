using System.Text.Json.Nodes;
using Gantry.Api.Registry;

namespace Gantry.Api.Selectors;

/// <summary>Placeholder replaced by the selectors branch: the selectable fields of each kind.</summary>
public static class FieldCatalog
{
    private static readonly IReadOnlyDictionary<string, Func<JsonObject, string?>> Common = new Dictionary<string, Func<JsonObject, string?>>
    {
        ["metadata.name"] = o => (string?)o["metadata"]?["name"],
        ["metadata.namespace"] = o => (string?)o["metadata"]?["namespace"],
    };

    /// <summary>The selectable fields of a kind.</summary>
    public static IReadOnlyDictionary<string, Func<JsonObject, string?>> For(ResourceDefinition definition) => Common;
}
