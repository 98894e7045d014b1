using Gantry.ApiServer.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Conversion;
using Gantry.Api.Registry;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// Converts objects of resources that share another resource's storage (events.k8s.io/v1 events are stored as
/// core/v1 events) between the stored and the served version.
/// </summary>
public static class VersionConversion
{
    /// <summary>Whether a resource is served from another version's storage.</summary>
    public static bool Needed(ResourceDefinition def) => def.StorageResource is not null && def.Group.Length > 0;

    /// <summary>Stored JSON bytes -> the served version's bytes.</summary>
    public static byte[] ToServed(ResourceDefinition def, byte[] json)
    {
        if (!Needed(def)) return json;
        return ApiJson.Bytes(ToServed(def, (JsonObject)JsonNode.Parse(json)!));
    }

    /// <summary>A stored object -> the served version.</summary>
    public static JsonObject ToServed(ResourceDefinition def, JsonObject obj) =>
        Needed(def) && def.Group == "events.k8s.io" ? EventConversion.ToEventsV1(obj) : obj;

    /// <summary>A served-version object -> the stored version.</summary>
    public static JsonObject ToStored(ResourceDefinition def, JsonObject obj) =>
        Needed(def) && def.Group == "events.k8s.io" ? EventConversion.ToCoreV1(obj) : obj;

    /// <summary>The definition whose strategy and kind govern the stored form.</summary>
    public static ResourceDefinition StoredDefinition(ResourceDefinition def, ResourceRegistry registry) =>
        Needed(def) ? registry.Resources.First(r => r.KeyPrefix == def.KeyPrefix && !Needed(r)) : def;
}
