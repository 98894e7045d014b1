using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>POST, PUT, PATCH, DELETE and DELETE-collection of resources and their status subresource.</summary>
public sealed class WriteHandlers(ResourceService service, CacheSet caches, ResourceRegistry registry)
{
    /// <summary>The options every write reads from the query.</summary>
    public static WriteOptions Options(HttpRequest request)
    {
        var q = request.Query;
        var dryRun = q["dryRun"];
        foreach (var d in dryRun)
        {
            if (d != "All") throw ApiException.BadRequest($"dryRun: Unsupported value: \"{d}\": supported values: \"All\"");
        }
        var validation = ((string?)q["fieldValidation"]) switch
        {
            null or "" or "Warn" => FieldValidation.Warn,
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            var other => throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
        };
        var manager = (string?)q["fieldManager"];
        if (string.IsNullOrEmpty(manager))
        {
            // As Kubernetes: the user agent up to its first '/' (a shared string: clients send the same one every time).
            var agent = request.Headers.UserAgent.ToString();
            var slash = agent.IndexOf('/');
            manager = slash > 0 ? SharedStrings.Get(agent.AsSpan(0, slash)) : agent.Length > 0 ? agent : "unknown";
        }
        if (manager.Length > 128) throw ApiException.BadRequest("fieldManager: Too long: must have at most 128 bytes");
        if (manager.Any(char.IsControl))
            throw ApiException.Invalid("meta.k8s.io", "CreateOptions", "", [FieldError.Invalid("fieldManager", manager, "must only contain printable characters")]);
        var force = (string?)q["force"];
        if (force is not (null or "" or "true" or "false"))
            throw ApiException.BadRequest($"invalid force \"{force}\": must be true or false");
        return new WriteOptions { DryRun = dryRun.Count > 0, FieldValidation = validation, FieldManager = manager, Force = force == "true" };
    }

    /// <summary>POST a new object.</summary>
    public async Task CreateAsync(HttpContext context, ResourceDefinition def, string? ns)
    {
        var options = Options(context.Request);
        var obj = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        SchemaGate.Check(def, obj, options);
        var stored = VersionConversion.StoredDefinition(def, registry);
        var created = await service.CreateAsync(stored, ns, VersionConversion.ToStored(def, obj), options, context.RequestAborted);
        await WriteAsync(context, 201, def, created, options);
    }

    /// <summary>PUT an object or its status.</summary>
    public async Task UpdateAsync(HttpContext context, ResourceDefinition def, string? ns, string name, bool status)
    {
        var options = Options(context.Request);
        var obj = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        SchemaGate.Check(def, obj, options);
        var stored = VersionConversion.StoredDefinition(def, registry);
        var updated = await service.UpdateAsync(stored, ns, name, VersionConversion.ToStored(def, obj), status, options, context.RequestAborted);
        await WriteAsync(context, 200, def, updated, options);
    }

    /// <summary>PATCH an object or its status with any of the four patch types.</summary>
    public async Task PatchAsync(HttpContext context, ResourceDefinition def, string? ns, string name, bool status)
    {
        var options = Options(context.Request);
        var mediaType = RequestBody.MediaType(context.Request);
        var bytes = await RequestBody.ReadBytesAsync(context.Request, context.RequestAborted);
        if (mediaType == "application/apply-patch+yaml")
        {
            var applyOptions = new WriteOptions { DryRun = options.DryRun, FieldManager = (string?)context.Request.Query["fieldManager"] ?? "",
                FieldValidation = options.FieldValidation, Force = options.Force, IsApply = true };
            var applied = await ServerSideApplyHandler.ApplyAsync(service, def, ns, name, bytes, status, applyOptions, context.RequestAborted);
            foreach (var w in applyOptions.Warnings) options.Warnings.Add(w);
            await WriteAsync(context, 200, def, applied.Object, options, applied.Created ? 201 : 200);
            return;
        }
        if (mediaType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json"))
            throw ApiException.UnsupportedMediaType(mediaType);
        var patch = RequestBody.Decode(mediaType, bytes);
        var patched = await service.GuaranteedUpdateAsync(def, ns, name, PinnedRevision(patch), (current, _) =>
        {
            var served = VersionConversion.ToServed(def, current);
            var result = PatchApplier.Apply(mediaType, served, patch?.DeepClone(), def);
            CheckIdentity(def, ns, name, result);
            SchemaGate.Check(def, result, options, PatchApplier.TouchedMembers(mediaType, patch, def));
            return VersionConversion.ToStored(def, result);
        }, status, options, context.RequestAborted);
        await WriteAsync(context, 200, def, patched, options);
    }

    /// <summary>DELETE one object.</summary>
    public async Task DeleteAsync(HttpContext context, ResourceDefinition def, string? ns, string name)
    {
        var request = await ReadDeleteOptionsAsync(context);
        var (obj, deleted) = await service.DeleteAsync(VersionConversion.StoredDefinition(def, registry), ns, name, request, context.RequestAborted);
        // Kubernetes answers 200 with the object when deletion finished or 202 when it is pending (finalizers, grace).
        await WriteAsync(context, deleted || request.DryRun ? 200 : 202, def, obj, new WriteOptions());
    }

    /// <summary>DELETE a collection: every object the selectors pick, one by one.</summary>
    public async Task DeleteCollectionAsync(HttpContext context, ResourceDefinition def, string? ns)
    {
        var request = await ReadDeleteOptionsAsync(context);
        var query = ListQuery.Parse(context.Request, def);
        var cache = caches.For(def);
        await cache.WaitForRevisionAsync(service.Store.CurrentRevision, context.RequestAborted);
        var (items, _) = cache.Snapshot(def.PrefixFor(ns));
        var deleted = new JsonArray();
        foreach (var item in items.Where(query.Matches))
        {
            try
            {
                var (obj, _) = await service.DeleteAsync(VersionConversion.StoredDefinition(def, registry), item.Namespace, item.Name, request, context.RequestAborted);
                deleted.Add((JsonNode)VersionConversion.ToServed(def, obj));
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
            }
        }
        await ResponseWriter.WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = def.ListKind,
            ["apiVersion"] = def.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = service.Store.CurrentRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        });
    }

    /// <summary>
    /// The resourceVersion a request body names as its precondition (metadata.resourceVersion of an object or merge
    /// patch, or a JSON patch op on /metadata/resourceVersion), or 0 when it names none and may be retried.
    /// </summary>
    internal static long PinnedRevision(JsonNode? body)
    {
        string? text = body switch
        {
            JsonObject o => (string?)((o["metadata"] as JsonObject)?["resourceVersion"] as JsonValue),
            JsonArray ops => ops.OfType<JsonObject>()
                .Where(op => (string?)(op["path"] as JsonValue) == "/metadata/resourceVersion" && (string?)(op["op"] as JsonValue) is "add" or "replace" or "test")
                .Select(op => (string?)(op["value"] as JsonValue)).LastOrDefault(),
            _ => null,
        };
        return ObjectMeta.ParseResourceVersion(text);
    }

    /// <summary>A patch may not rename an object or move it to another namespace, version or kind (400, as Kubernetes).</summary>
    internal static void CheckIdentity(ResourceDefinition def, string? ns, string name, JsonObject patched)
    {
        if (ObjectMeta.Get(patched, "name") is { } patchedName && patchedName != name)
            throw ApiException.BadRequest($"the name of the object ({patchedName}) does not match the name on the URL ({name})");
        if (def.Namespaced && ObjectMeta.Get(patched, "namespace") is { Length: > 0 } patchedNs && patchedNs != ns)
            throw ApiException.BadRequest($"the namespace of the object ({patchedNs}) does not match the namespace on the URL ({ns})");
        var apiVersion = (string?)(patched["apiVersion"] as JsonValue);
        if (apiVersion != def.ApiVersion)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({def.ApiVersion})");
        var kind = (string?)(patched["kind"] as JsonValue);
        if (kind != def.Kind)
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({def.Kind})");
    }

    private static async Task<DeleteRequest> ReadDeleteOptionsAsync(HttpContext context)
    {
        JsonObject? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var bytes = await RequestBody.ReadBytesAsync(context.Request, context.RequestAborted);
            if (bytes.Length > 0) body = RequestBody.Decode(RequestBody.MediaType(context.Request), bytes) as JsonObject;
        }
        return DeleteRequest.From(body, k => context.Request.Query.TryGetValue(k, out var v) ? (string?)v : null);
    }

    private static Task WriteAsync(HttpContext context, int code, ResourceDefinition def, JsonObject obj, WriteOptions options, int? overrideCode = null)
    {
        foreach (var warning in options.Warnings) context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
        // The stored bytes are the object: stamping its resourceVersion in is far cheaper than serializing the tree again.
        if (options.Written is { } written && !VersionConversion.Needed(def))
            return ResponseWriter.WriteStoredAsync(context, overrideCode ?? code, written.Value, written.ModRevision);
        return ResponseWriter.WriteJsonAsync(context, overrideCode ?? code, VersionConversion.ToServed(def, obj));
    }
}
