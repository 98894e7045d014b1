using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Handlers;

/// <summary>Applies a PATCH body of one of Kubernetes' patch types to the current object.</summary>
public static class PatchApplier
{
    /// <summary>json-patch, merge-patch, strategic-merge-patch (apply-patch is server-side apply, handled apart).</summary>
    public static JsonObject Apply(string mediaType, JsonObject current, JsonNode? patch, ResourceDefinition def)
    {
        var result = mediaType switch
        {
            "application/json-patch+json" => JsonPatch.Apply(current, patch as JsonArray
                ?? throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")),
            "application/merge-patch+json" => JsonMergePatch.Apply(current, patch as JsonObject
                ?? throw ApiException.BadRequest("the merge patch must be a JSON object")),
            "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(current, patch as JsonObject
                ?? throw ApiException.BadRequest("the strategic merge patch must be a JSON object"), def.ApiVersion, def.Kind),
            _ => throw ApiException.UnsupportedMediaType(mediaType),
        };
        return result as JsonObject ?? throw ApiException.BadRequest("the patch produced something other than an object");
    }

    /// <summary>
    /// The top-level members a merge or strategic merge patch can change (its own top-level keys), or null when it may
    /// change any: a JSON patch (paths, moves and copies), a directive at the top level ($patch: replace, $retainKeys),
    /// or a served version converted from the stored one.
    /// </summary>
    public static IReadOnlyCollection<string>? TouchedMembers(string mediaType, JsonNode? patch, ResourceDefinition def)
    {
        if (mediaType is not ("application/merge-patch+json" or "application/strategic-merge-patch+json")) return null;
        if (patch is not JsonObject members || VersionConversion.Needed(def)) return null;
        var names = new HashSet<string>(members.Count, StringComparer.Ordinal);
        foreach (var (name, _) in members)
        {
            if (name.StartsWith('$')) return null;
            names.Add(name);
        }
        return names;
    }
}
