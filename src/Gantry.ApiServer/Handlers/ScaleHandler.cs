using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>The <c>scale</c> subresource (autoscaling/v1 Scale) of deployments, replica sets, RCs and stateful sets.</summary>
public sealed class ScaleHandler(ResourceService service)
{
    /// <summary>GET, PUT or PATCH of /scale.</summary>
    public async Task HandleAsync(HttpContext context, ResourceDefinition def, string? ns, string name)
    {
        var method = context.Request.Method;
        if (method == "GET")
        {
            var obj = await service.GetAsync(def, ns, name, context.RequestAborted);
            await ResponseWriter.WriteJsonAsync(context, 200, ToScale(obj));
            return;
        }
        var options = WriteHandlers.Options(context.Request);
        var mediaType = RequestBody.MediaType(context.Request);
        var bytes = await RequestBody.ReadBytesAsync(context.Request, context.RequestAborted);
        var body = RequestBody.Decode(mediaType, bytes);
        var updated = await service.GuaranteedUpdateAsync(def, ns, name, WriteHandlers.PinnedRevision(body), (current, revision) =>
        {
            var scale = ToScale(current);
            JsonObject wanted = method switch
            {
                "PUT" => body as JsonObject ?? throw ApiException.BadRequest("the body must be a Scale object"),
                "PATCH" => mediaType switch
                {
                    "application/json-patch+json" => JsonPatch.Apply(scale, body as JsonArray ?? throw ApiException.BadRequest("json patch must be an array")) as JsonObject,
                    "application/merge-patch+json" or "application/strategic-merge-patch+json" =>
                        JsonMergePatch.Apply(scale, body as JsonObject ?? throw ApiException.BadRequest("merge patch must be an object")) as JsonObject,
                    _ => throw ApiException.UnsupportedMediaType(mediaType),
                } ?? throw ApiException.BadRequest("the patched Scale is not an object"),
                _ => throw ApiException.MethodNotAllowed(),
            };
            var rv = ObjectMeta.Get(wanted, "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != revision.ToString(CultureInfo.InvariantCulture))
                throw ApiException.Conflict(def.Group, def.Plural, name, "the object has been modified; please apply your changes to the latest version and try again");
            var replicas = wanted["spec"]?["replicas"];
            long value;
            try { value = replicas?.GetValue<long>() ?? 0; }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException) { throw ApiException.BadRequest("spec.replicas must be an integer"); }
            if (value < 0)
                throw ApiException.Invalid("autoscaling", "Scale", name, [FieldError.Invalid("spec.replicas", value.ToString(CultureInfo.InvariantCulture), "must be greater than or equal to 0")]);
            if (current["spec"] is not JsonObject spec) current["spec"] = spec = new JsonObject();
            spec["replicas"] = value;
            ObjectMeta.Of(current).Remove("resourceVersion");
            return current;
        }, false, options, context.RequestAborted);
        await ResponseWriter.WriteJsonAsync(context, 200, ToScale(updated));
    }

    /// <summary>The Scale view of a scalable object.</summary>
    public static JsonObject ToScale(JsonObject obj)
    {
        var meta = ObjectMeta.Of(obj);
        var scaleMeta = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (meta[field] is { } v) scaleMeta[field] = v.DeepClone();
        }
        var selectorNode = obj["spec"]?["selector"];
        var selector = selectorNode switch
        {
            null => "",
            JsonObject o when o.ContainsKey("matchLabels") || o.ContainsKey("matchExpressions") => LabelSelector.FromLabelSelectorObject(o).ToString(),
            JsonObject o => string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={(string?)p.Value}")),
            _ => "",
        };
        var status = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.GetValue<long>() ?? 0 };
        if (selector.Length > 0) status["selector"] = selector;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.GetValue<long>() ?? 0 },
            ["status"] = status,
        };
    }
}
