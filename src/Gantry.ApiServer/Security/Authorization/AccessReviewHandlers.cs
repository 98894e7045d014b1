using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Security.Authentication;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// The review APIs answered through the authorizer chain, so <c>kubectl auth can-i</c> (SelfSubjectAccessReview,
/// SelfSubjectRulesReview with --list), <c>kubectl auth whoami</c> (SelfSubjectReview) and SubjectAccessReview tell
/// the truth for every user.
/// </summary>
internal sealed class AccessReviewHandlers(RequestAuthorizer authorizer)
{
    /// <summary>Serves the request when it is a review (a create of one of the review resources); false otherwise.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, RequestInfo info, UserInfo user)
    {
        if (info.Verb != "create" || info.Name is not null || info.Subresource is not null) return false;
        switch (info.Group, info.Resource)
        {
            case ("authorization.k8s.io", "selfsubjectaccessreviews"):
                await ReviewAsync(context, "SelfSubjectAccessReview", _ => user);
                return true;
            case ("authorization.k8s.io", "subjectaccessreviews"):
                await ReviewAsync(context, "SubjectAccessReview", SubjectOf);
                return true;
            case ("authorization.k8s.io", "selfsubjectrulesreviews"):
                await RulesReviewAsync(context, user);
                return true;
            case ("authentication.k8s.io", "selfsubjectreviews"):
                await WhoAmIAsync(context, user);
                return true;
            default:
                return false;
        }
    }

    private async Task ReviewAsync(HttpContext context, string kind, Func<JsonObject, UserInfo> subject)
    {
        var review = await Begin(context, kind, "authorization.k8s.io/v1");
        var spec = review["spec"] as JsonObject ?? throw ApiException.BadRequest("spec is required");
        var user = subject(spec);
        AccessAttributes attributes;
        if (spec["resourceAttributes"] is JsonObject r)
        {
            attributes = new AccessAttributes
            {
                User = user,
                Verb = Str(r["verb"]),
                Group = Str(r["group"]),
                Version = Str(r["version"]),
                Resource = Str(r["resource"]),
                Subresource = Str(r["subresource"]),
                Namespace = Str(r["namespace"]),
                Name = Str(r["name"]),
            };
        }
        else if (spec["nonResourceAttributes"] is JsonObject n)
        {
            attributes = new AccessAttributes { User = user, Verb = Str(n["verb"]), IsResourceRequest = false, Path = Str(n["path"]) };
        }
        else
        {
            throw ApiException.Invalid("authorization.k8s.io", kind, "",
                [FieldError.Invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
        }
        var (allowed, reason) = authorizer.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = allowed };
        if (reason.Length > 0) status["reason"] = reason;
        review["status"] = status;
        await ResponseWriter.WriteJsonAsync(context, 201, review);
    }

    private static UserInfo SubjectOf(JsonObject spec)
    {
        var name = Str(spec["user"]);
        var groups = (spec["groups"] as JsonArray)?.Select(g => (string?)g ?? "").Where(g => g.Length > 0).ToList() ?? [];
        if (name.Length == 0 && groups.Count == 0)
            throw ApiException.Invalid("authorization.k8s.io", "SubjectAccessReview", "",
                [FieldError.Invalid("spec.user", "", "at least one of user or group must be specified")]);
        return new UserInfo(name, groups, Str(spec["uid"]) is { Length: > 0 } uid ? uid : null);
    }

    private async Task RulesReviewAsync(HttpContext context, UserInfo user)
    {
        var review = await Begin(context, "SelfSubjectRulesReview", "authorization.k8s.io/v1");
        var ns = Str(review["spec"]?["namespace"]);
        var rules = authorizer.Rbac.RulesFor(user, ns);
        if (user.NodeName is not null) rules = NodeAuthorizer.NodeRules.Concat(rules);
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            var json = rule.ToJson();
            if (rule.NonResourceUrls.Length > 0) nonResourceRules.Add((JsonNode)new JsonObject { ["verbs"] = json["verbs"]!.DeepClone(), ["nonResourceURLs"] = json["nonResourceURLs"]!.DeepClone() });
            if (rule.Resources.Length > 0) resourceRules.Add((JsonNode)json);
        }
        review["status"] = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            // The Node authorizer's per-object grants (secrets of its pods, its lease) are not listable.
            ["incomplete"] = user.NodeName is not null,
        };
        await ResponseWriter.WriteJsonAsync(context, 201, review);
    }

    private static async Task WhoAmIAsync(HttpContext context, UserInfo user)
    {
        var review = await Begin(context, "SelfSubjectReview", "authentication.k8s.io/v1");
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid is not null) info["uid"] = user.Uid;
        info["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray());
        if (user.Extra.Count > 0)
            info["extra"] = new JsonObject(user.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()))));
        review["status"] = new JsonObject { ["userInfo"] = info };
        await ResponseWriter.WriteJsonAsync(context, 201, review);
    }

    private static async Task<JsonObject> Begin(HttpContext context, string kind, string apiVersion)
    {
        var review = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        review["apiVersion"] = apiVersion;
        review["kind"] = kind;
        if (review["metadata"] is not JsonObject meta) review["metadata"] = meta = new JsonObject();
        meta["creationTimestamp"] = null;
        return review;
    }

    private static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
