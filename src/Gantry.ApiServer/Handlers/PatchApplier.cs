using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;
using Gantry.Api.Registry;

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
}
