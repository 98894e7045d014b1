using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;
using Gantry.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>The action subresources: pods/binding, pods/eviction, serviceaccounts/token, and namespaces/finalize.</summary>
public sealed class SubresourceHandlers(ResourceService service, ResourceRegistry registry, ServiceAccountTokenIssuer tokens, TimeProvider time)
{
    private ResourceDefinition Core(string plural) => registry.Find("", "v1", plural)!;

    /// <summary>POST pods/{name}/binding: assigns the pod to a node once (the scheduler's write).</summary>
    public async Task BindAsync(HttpContext context, string ns, string podName)
    {
        var binding = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var target = binding["target"] as JsonObject;
        var node = (string?)(target?["name"] as JsonValue);
        if (string.IsNullOrEmpty(node))
            throw ApiException.Invalid("", "Binding", podName, [FieldError.Required("target.name")]);
        var targetKind = (string?)(target?["kind"] as JsonValue);
        if (!string.IsNullOrEmpty(targetKind) && targetKind != "Node")
            throw ApiException.Invalid("", "Binding", podName, [FieldError.NotSupported("target.kind", targetKind, ["Node"])]);
        var pods = Core("pods");
        await service.SystemUpdateAsync(pods, ns, podName, pod =>
        {
            if (ObjectMeta.Get(pod, "deletionTimestamp") is not null)
                throw ApiException.Conflict("", "pods", podName, "pod is being deleted, cannot be assigned to a host");
            var current = (string?)(pod["spec"]?["nodeName"] as JsonValue);
            if (!string.IsNullOrEmpty(current))
                throw ApiException.Conflict("", "pods", podName, $"pod {podName} is already assigned to node \"{current}\"");
            if (pod["spec"] is not JsonObject spec) pod["spec"] = spec = new JsonObject();
            spec["nodeName"] = node;
            if (binding["metadata"]?["annotations"] is JsonObject annotations)
            {
                var podMeta = ObjectMeta.Of(pod);
                if (podMeta["annotations"] is not JsonObject podAnnotations) podMeta["annotations"] = podAnnotations = new JsonObject();
                foreach (var (k, v) in annotations) podAnnotations[k] = v?.DeepClone();
            }
            SetScheduled(pod);
            return pod;
        }, context.RequestAborted);
        await ResponseWriter.WriteJsonAsync(context, 201, ResponseWriter.SuccessStatus());
    }

    // As kube-apiserver's binding REST: PodScheduled becomes True in the same write, replacing any False/Unschedulable
    // reason and message; the transition time changes only when the status does.
    private void SetScheduled(JsonObject pod)
    {
        if (pod["status"] is not JsonObject status) pod["status"] = status = new JsonObject();
        if (status["conditions"] is not JsonArray conditions) status["conditions"] = conditions = new JsonArray();
        var index = -1;
        for (var i = 0; i < conditions.Count && index < 0; i++)
            if ((string?)(conditions[i]?["type"] as JsonValue) == "PodScheduled") index = i;
        var transition = index >= 0 && (string?)(conditions[index]?["status"] as JsonValue) == "True"
            ? conditions[index]?["lastTransitionTime"]?.DeepClone()
            : JsonValue.Create(ObjectMeta.Timestamp(time.GetUtcNow()));
        var condition = new JsonObject
        {
            ["type"] = "PodScheduled",
            ["status"] = "True",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = transition,
        };
        if (index >= 0) conditions[index] = condition;
        else conditions.Add((JsonNode)condition);
    }

    /// <summary>POST pods/{name}/eviction: a delete that respects PodDisruptionBudgets (429 when one forbids it).</summary>
    public async Task EvictAsync(HttpContext context, string ns, string podName)
    {
        var eviction = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var pods = Core("pods");
        var pod = await service.GetAsync(pods, ns, podName, context.RequestAborted);
        var terminal = (string?)(pod["status"]?["phase"] as JsonValue) is "Succeeded" or "Failed";
        var request = DeleteRequest.From(eviction["deleteOptions"] as JsonObject, _ => null);
        if (!terminal && ObjectMeta.Get(pod, "deletionTimestamp") is null)
            await DisruptionBudgets.CheckAsync(service, registry, ns, pod, request.DryRun, time, context.RequestAborted);
        await service.DeleteAsync(pods, ns, podName, request, context.RequestAborted);
        await ResponseWriter.WriteJsonAsync(context, 201, ResponseWriter.SuccessStatus());
    }

    /// <summary>POST serviceaccounts/{name}/token: a TokenRequest answered with a signed, bound token.</summary>
    public async Task TokenAsync(HttpContext context, string ns, string saName)
    {
        var request = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var sa = await service.GetAsync(Core("serviceaccounts"), ns, saName, context.RequestAborted);
        var spec = request["spec"] as JsonObject ?? [];
        var seconds = (long?)(spec["expirationSeconds"] as JsonValue) ?? 3600;
        if (seconds < 600)
            throw ApiException.Invalid("authentication.k8s.io", "TokenRequest", saName,
                [FieldError.Invalid("spec.expirationSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "may not specify a duration less than 10 minutes")]);
        seconds = Math.Min(seconds, 48L * 3600);
        var audiences = (spec["audiences"] as JsonArray)?.Select(a => (string?)a ?? "").Where(a => a.Length > 0).ToList() is { Count: > 0 } list
            ? list : [ServiceAccountTokenIssuer.Issuer];
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(seconds);
        var token = tokens.Issue(ns, saName, ObjectMeta.Get(sa, "uid") ?? "", audiences, now, expires, spec["boundObjectRef"] as JsonObject);
        request["apiVersion"] = "authentication.k8s.io/v1";
        request["kind"] = "TokenRequest";
        var meta = ObjectMeta.Of(request);
        meta["name"] = saName;
        meta["namespace"] = ns;
        meta["creationTimestamp"] = null;
        spec["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        spec["expirationSeconds"] = seconds;
        request["spec"] = spec;
        request["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = ObjectMeta.Timestamp(expires) };
        await ResponseWriter.WriteJsonAsync(context, 201, request);
    }

    /// <summary>PUT namespaces/{name}/finalize: only spec.finalizers changes (the namespace controller's write).</summary>
    public async Task FinalizeAsync(HttpContext context, string name)
    {
        var body = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var finalizers = body["spec"]?["finalizers"]?.DeepClone();
        var namespaces = Core("namespaces");
        var updated = await service.SystemUpdateAsync(namespaces, null, name, ns =>
        {
            if (ns["spec"] is not JsonObject spec) ns["spec"] = spec = new JsonObject();
            if (finalizers is JsonArray { Count: > 0 }) spec["finalizers"] = finalizers.DeepClone(); else spec.Remove("finalizers");
            return ns;
        }, context.RequestAborted);
        if (updated["spec"]?["finalizers"] is not JsonArray { Count: > 0 } && ObjectMeta.Get(updated, "deletionTimestamp") is not null
            && ObjectMeta.Finalizers(updated).Count == 0)
            await service.DeleteAsync(namespaces, null, name, new DeleteRequest(), context.RequestAborted);
        await ResponseWriter.WriteJsonAsync(context, 200, updated);
    }
}
