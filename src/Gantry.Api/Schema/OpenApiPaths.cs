using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using k8s.Models;

namespace Gantry.Api.Schema;

/// <summary>
/// Writes the <c>paths</c> of one group-version's OpenAPI v3 document: collection, object and subresource URLs
/// with operations named and tagged like Kubernetes' (<c>operationId</c>, <c>x-kubernetes-action</c>,
/// <c>x-kubernetes-group-version-kind</c>, inline query parameters, request and response schemas).
/// </summary>
internal sealed class OpenApiPaths(string group, string version, OpenApiComponents components)
{
    private static readonly string[] JsonYamlProtobuf = ["application/json", "application/vnd.kubernetes.protobuf", "application/yaml"];
    private static readonly string[] PatchTypes =
    [
        "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    ];

    private readonly string _prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
    private readonly string _operationGroup = OperationGroup(group) + Capitalize(version);
    private readonly string _tag = Uncapitalize(OperationGroup(group)) + "_" + version;
    private readonly JsonObject _paths = [];

    /// <summary>Adds every path of a served resource.</summary>
    public void Add(ResourceDefinition resource)
    {
        if (ModelCatalog.TypeOf(resource.Group, resource.Version, resource.Kind) is not { } type) return;
        var listType = ModelCatalog.TypeOf(resource.Group, resource.Version, resource.ListKind);
        var scope = resource.Namespaced ? "Namespaced" : "";
        var collection = _prefix + (resource.Namespaced ? "/namespaces/{namespace}/" : "/") + resource.Plural;
        var item = collection + "/{name}";
        var verbs = resource.Verbs.ToHashSet();
        var gvk = (resource.Group, resource.Version, resource.Kind);

        var collectionOps = new JsonObject();
        if (verbs.Contains("list") && listType is not null)
            collectionOps["get"] = Operation($"list or watch objects of kind {resource.Kind}", $"list{_operationGroup}{scope}{resource.Kind}",
                "list", gvk, OpenApiParameters.List, null, ListResponse(listType));
        if (verbs.Contains("create"))
            collectionOps["post"] = Operation($"create {Article(resource.Kind)} {resource.Kind}", $"create{_operationGroup}{scope}{resource.Kind}",
                "post", gvk, OpenApiParameters.Write, Body(type, "*/*"), Responses(type, "200", "201", "202"));
        if (verbs.Contains("deletecollection"))
            collectionOps["delete"] = Operation($"delete collection of {resource.Kind}", $"delete{_operationGroup}Collection{scope}{resource.Kind}",
                "deletecollection", gvk, [.. OpenApiParameters.Delete, .. OpenApiParameters.List], DeleteBody(), StatusResponses("200"));
        AddPath(collection, collectionOps, resource.Namespaced, named: false);

        var itemOps = new JsonObject();
        if (verbs.Contains("get"))
            itemOps["get"] = Operation($"read the specified {resource.Kind}", $"read{_operationGroup}{scope}{resource.Kind}",
                "get", gvk, [], null, Responses(type, "200"));
        if (verbs.Contains("update"))
            itemOps["put"] = Operation($"replace the specified {resource.Kind}", $"replace{_operationGroup}{scope}{resource.Kind}",
                "put", gvk, OpenApiParameters.Write, Body(type, "*/*"), Responses(type, "200", "201"));
        if (verbs.Contains("delete"))
            itemOps["delete"] = Operation($"delete {Article(resource.Kind)} {resource.Kind}", $"delete{_operationGroup}{scope}{resource.Kind}",
                "delete", gvk, OpenApiParameters.Delete, DeleteBody(), Responses(type, "200", "202"));
        if (verbs.Contains("patch"))
            itemOps["patch"] = Operation($"partially update the specified {resource.Kind}", $"patch{_operationGroup}{scope}{resource.Kind}",
                "patch", gvk, OpenApiParameters.Patch, PatchBody(), Responses(type, "200", "201"));
        AddPath(item, itemOps, resource.Namespaced, named: true);

        if (resource.Namespaced && verbs.Contains("list") && listType is not null)
            AddPath(_prefix + "/" + resource.Plural, new JsonObject
            {
                ["get"] = Operation($"list or watch objects of kind {resource.Kind}", $"list{_operationGroup}{resource.Kind}ForAllNamespaces",
                    "list", gvk, OpenApiParameters.List, null, ListResponse(listType)),
            }, namespaced: false, named: false);

        foreach (var subresource in resource.Subresources) AddSubresource(resource, type, item, scope, subresource);
    }

    /// <summary>The paths written so far.</summary>
    public JsonObject Build() => _paths;

    private void AddSubresource(ResourceDefinition resource, Type type, string item, string scope, string subresource)
    {
        var url = $"{item}/{subresource}";
        var kind = resource.Kind;
        var suffix = Capitalize(subresource);
        var gvk = (resource.Group, resource.Version, kind);
        var ops = new JsonObject();
        switch (subresource)
        {
            case "status" or "scale":
                var (bodyType, bodyGvk) = subresource == "scale" ? (typeof(V1Scale), ("autoscaling", "v1", "Scale")) : (type, gvk);
                ops["get"] = Operation($"read {subresource} of the specified {kind}", $"read{_operationGroup}{scope}{kind}{suffix}",
                    "get", bodyGvk, [], null, Responses(bodyType, "200"));
                ops["put"] = Operation($"replace {subresource} of the specified {kind}", $"replace{_operationGroup}{scope}{kind}{suffix}",
                    "put", bodyGvk, OpenApiParameters.Write, Body(bodyType, "*/*"), Responses(bodyType, "200", "201"));
                ops["patch"] = Operation($"partially update {subresource} of the specified {kind}", $"patch{_operationGroup}{scope}{kind}{suffix}",
                    "patch", bodyGvk, OpenApiParameters.Patch, PatchBody(), Responses(bodyType, "200", "201"));
                break;
            case "binding" or "eviction" or "token":
                var (postType, postGvk) = subresource switch
                {
                    "binding" => (typeof(V1Binding), ("", "v1", "Binding")),
                    "eviction" => (typeof(V1Eviction), ("policy", "v1", "Eviction")),
                    _ => (typeof(Authenticationv1TokenRequest), ("authentication.k8s.io", "v1", "TokenRequest")),
                };
                ops["post"] = Operation($"create {subresource} of {Article(kind)} {kind}", $"create{_operationGroup}{scope}{kind}{suffix}",
                    "post", postGvk, OpenApiParameters.Write, Body(postType, "*/*"), Responses(postType, "200", "201", "202"));
                break;
            case "finalize":
                ops["put"] = Operation($"replace finalize of the specified {kind}", $"replace{_operationGroup}{scope}{kind}{suffix}",
                    "put", gvk, OpenApiParameters.Write, Body(type, "*/*"), Responses(type, "200", "201"));
                break;
            case "log":
                ops["get"] = Operation($"read log of the specified {kind}", $"read{_operationGroup}{scope}{kind}{suffix}",
                    "get", gvk, OpenApiParameters.Log, null, TextResponse());
                break;
            default:
                var (methods, parameters) = subresource switch
                {
                    "exec" => (new[] { "get", "post" }, OpenApiParameters.Exec),
                    "attach" => (["get", "post"], OpenApiParameters.Attach),
                    "portforward" => (["get", "post"], OpenApiParameters.PortForward),
                    _ => (["delete", "get", "patch", "post", "put"], OpenApiParameters.Proxy),
                };
                var optionsGvk = ("", "v1", kind + (subresource == "portforward" ? "PortForward" : suffix) + "Options");
                foreach (var method in methods)
                    ops[method] = Operation($"connect {method.ToUpperInvariant()} requests to {subresource} of {kind}",
                        $"connect{_operationGroup}{Capitalize(method)}{scope}{kind}{suffix}", "connect", optionsGvk, parameters, null, TextResponse());
                break;
        }
        AddPath(url, ops, resource.Namespaced, named: true);
    }

    private void AddPath(string url, JsonObject operations, bool namespaced, bool named)
    {
        if (operations.Count == 0) return;
        var parameters = new JsonArray();
        if (named) parameters.Add((JsonNode)OpenApiParameters.PathParameter("name", "name of the object"));
        if (namespaced) parameters.Add((JsonNode)OpenApiParameters.PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        parameters.Add((JsonNode)OpenApiParameters.Pretty());
        operations["parameters"] = parameters;
        _paths[url] = operations;
    }

    private JsonObject Operation(string description, string operationId, string action, (string Group, string Version, string Kind) gvk,
        IEnumerable<string> query, JsonObject? requestBody, JsonObject responses)
    {
        var operation = new JsonObject
        {
            ["description"] = description,
            ["operationId"] = operationId,
            ["parameters"] = OpenApiParameters.QueryParameters(query),
        };
        if (requestBody is not null) operation["requestBody"] = requestBody;
        operation["responses"] = responses;
        operation["tags"] = new JsonArray(_tag);
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = OpenApiComponents.Gvk(gvk.Group, gvk.Version, gvk.Kind);
        return operation;
    }

    private JsonObject Body(Type type, string mediaType) => new()
    {
        ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = components.Ref(type) } },
        ["required"] = true,
    };

    private JsonObject PatchBody()
    {
        var content = new JsonObject();
        foreach (var mediaType in PatchTypes) content[mediaType] = new JsonObject { ["schema"] = components.Ref(typeof(V1Patch)) };
        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private JsonObject DeleteBody() => new()
    {
        ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = components.Ref(typeof(V1DeleteOptions)) } },
    };

    private JsonObject Responses(Type type, params string[] codes)
    {
        var responses = new JsonObject();
        foreach (var code in codes)
        {
            var content = new JsonObject();
            foreach (var mediaType in JsonYamlProtobuf) content[mediaType] = new JsonObject { ["schema"] = components.Ref(type) };
            responses[code] = new JsonObject { ["content"] = content, ["description"] = Reason(code) };
        }
        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        return responses;
    }

    private JsonObject ListResponse(Type listType)
    {
        var responses = Responses(listType, "200");
        var content = (JsonObject)responses["200"]!["content"]!;
        foreach (var mediaType in new[] { "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch" })
            content[mediaType] = new JsonObject { ["schema"] = components.Ref(listType) };
        return responses;
    }

    private JsonObject StatusResponses(string code) => Responses(typeof(V1Status), code);

    private static JsonObject TextResponse() => new()
    {
        ["200"] = new JsonObject
        {
            ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
            ["description"] = "OK",
        },
        ["401"] = new JsonObject { ["description"] = "Unauthorized" },
    };

    private static string Reason(string code) => code switch
    {
        "201" => "Created",
        "202" => "Accepted",
        _ => "OK",
    };

    /// <summary>The group as Kubernetes spells it in operation ids: Core, Apps, RbacAuthorization, EventsV1...</summary>
    private static string OperationGroup(string group)
    {
        if (group.Length == 0) return "Core";
        var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(trimmed.Split('.').Select(Capitalize));
    }

    private static string Article(string kind) => "AEIOU".Contains(kind[0]) ? "an" : "a";

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Uncapitalize(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
