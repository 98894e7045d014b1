using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;
using Gantry.Api.Registry;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Handlers;

/// <summary>Server-side apply (application/apply-patch+yaml): creates or merges with field ownership and conflicts.</summary>
public static class ServerSideApplyHandler
{
    /// <summary>Applies the configuration in <paramref name="body"/> as <see cref="WriteOptions.FieldManager"/>.</summary>
    public static async Task<(JsonObject Object, bool Created)> ApplyAsync(ResourceService service, ResourceDefinition def, string? ns, string name,
        byte[] body, bool status, WriteOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.FieldManager))
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", "", [FieldError.Required("fieldManager", "is required for apply patch")]);
        var applied = RequestBody.Decode("application/apply-patch+yaml", body) as JsonObject
            ?? throw ApiException.BadRequest("the apply patch must be an object");
        if (string.IsNullOrEmpty((string?)(applied["apiVersion"] as JsonValue)) || string.IsNullOrEmpty((string?)(applied["kind"] as JsonValue)))
            throw ApiException.BadRequest("apiVersion and kind must be set in an apply patch");
        WriteHandlers.CheckIdentity(def, ns, ObjectMeta.Get(applied, "name") ?? name, applied);
        SchemaGate.Check(def, applied, options);
        var appliedName = ObjectMeta.Get(applied, "name");
        if (appliedName is not null && appliedName != name)
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        var now = DateTimeOffset.UtcNow;
        try
        {
            var merged = await service.GuaranteedUpdateAsync(def, ns, name, WriteHandlers.PinnedRevision(applied), (current, _) =>
                ServerSideApply.Apply(current, applied, options.FieldManager, options.Force, def.ApiVersion, def.Kind, now).Object,
                status, options, cancellationToken);
            return (merged, false);
        }
        catch (ApiException ex) when (ex.Code == 404 && ex.Reason == "NotFound" && !status)
        {
            var fresh = ServerSideApply.Apply(null, applied, options.FieldManager, options.Force, def.ApiVersion, def.Kind, now).Object;
            ObjectMeta.Of(fresh)["name"] = name;
            return (await service.CreateAsync(def, ns, fresh, options, cancellationToken), true);
        }
    }
}
