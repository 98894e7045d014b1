using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Handlers;
using Gantry.ApiServer.Proxy;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Http;

/// <summary>Routes a parsed resource request to its handler (the generic REST surface of every registered resource).</summary>
public sealed class ApiDispatcher(
    ResourceRegistry registry,
    ReadHandlers reads,
    WriteHandlers writes,
    WatchHandler watches,
    ScaleHandler scales,
    SubresourceHandlers subresources,
    NodeProxyHandler nodeProxy)
{
    /// <summary>Serves one resource request.</summary>
    public Task DispatchAsync(HttpContext context, RequestInfo info, CancellationToken serverStopping)
    {
        var def = registry.Find(info.Group, info.Version, info.Resource) ?? throw ApiException.NotFoundPath();
        if (info.Namespace is not null && !def.Namespaced) throw ApiException.NotFoundPath();
        var ns = def.Namespaced ? info.Namespace : null;
        if (def.Namespaced && ns is null && info.Name is not null) throw ApiException.NotFoundPath();
        if (def.CreateOnly) return CreateOnlyAsync(context, def, ns, info);
        var name = info.Name;
        switch (info.Subresource)
        {
            case null:
                return info.Verb switch
                {
                    "get" => reads.GetAsync(context, def, ns, name!),
                    "list" => reads.ListAsync(context, def, ns),
                    "watch" => watches.WatchAsync(context, def, ns, name, serverStopping),
                    "create" when name is null && (ns is not null || !def.Namespaced) => writes.CreateAsync(context, def, ns),
                    "update" when name is not null => writes.UpdateAsync(context, def, ns, name, status: false),
                    "patch" when name is not null => writes.PatchAsync(context, def, ns, name, status: false),
                    "delete" => writes.DeleteAsync(context, def, ns, name!),
                    "deletecollection" when def.Verbs.Contains("deletecollection") => writes.DeleteCollectionAsync(context, def, ns),
                    _ => throw ApiException.MethodNotAllowed(),
                };
            case "status" when def.Subresources.Contains("status") && name is not null:
                return info.Verb switch
                {
                    "get" => reads.GetAsync(context, def, ns, name),
                    "update" => writes.UpdateAsync(context, def, ns, name, status: true),
                    "patch" => writes.PatchAsync(context, def, ns, name, status: true),
                    _ => throw ApiException.MethodNotAllowed(),
                };
            case "scale" when def.Subresources.Contains("scale") && name is not null:
                return info.Verb is "get" or "update" or "patch" ? scales.HandleAsync(context, def, ns, name) : throw ApiException.MethodNotAllowed();
            case "binding" when def.Kind == "Pod" && name is not null:
                return info.Verb == "create" ? subresources.BindAsync(context, ns!, name) : throw ApiException.MethodNotAllowed();
            case "eviction" when def.Kind == "Pod" && name is not null:
                return info.Verb == "create" ? subresources.EvictAsync(context, ns!, name) : throw ApiException.MethodNotAllowed();
            case "token" when def.Kind == "ServiceAccount" && name is not null:
                return info.Verb == "create" ? subresources.TokenAsync(context, ns!, name) : throw ApiException.MethodNotAllowed();
            case "log" or "exec" or "attach" or "portforward" when def.Kind == "Pod" && name is not null:
                return (info.Subresource, info.Verb) is ("log", "get") or (not "log", "get" or "create")
                    ? nodeProxy.ServeAsync(context, ns!, name, info.Subresource)
                    : throw ApiException.MethodNotAllowed();
            case "finalize" when def.Kind == "Namespace" && name is not null:
                return info.Verb == "update" ? subresources.FinalizeAsync(context, name) : throw ApiException.MethodNotAllowed();
            default:
                throw ApiException.NotFoundPath();
        }
    }

    private Task CreateOnlyAsync(HttpContext context, ResourceDefinition def, string? ns, RequestInfo info)
    {
        if (info.Verb != "create" || info.Name is not null || info.Subresource is not null) throw ApiException.MethodNotAllowed();
        return def.Kind switch
        {
            "Binding" when ns is not null => BindFromBodyAsync(context, ns),
            _ => throw ApiException.MethodNotAllowed(),
        };
    }

    /// <summary>POST /api/v1/namespaces/{ns}/bindings names the pod in the body.</summary>
    private async Task BindFromBodyAsync(HttpContext context, string ns)
    {
        context.Request.EnableBuffering();
        var body = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        context.Request.Body.Position = 0;
        var name = (string?)body["metadata"]?["name"] ?? throw ApiException.BadRequest("binding metadata.name is required");
        await subresources.BindAsync(context, ns, name);
    }
}
