using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Gantry.ApiServer.Proxy;

/// <summary>
/// pods/log, pods/exec, pods/attach and pods/portforward: checked against the pod as Kubernetes does, turned into
/// the kubelet's request (/containerLogs, /exec, /attach, /portForward with its own query parameters) and proxied to
/// the agent on the pod's node — logs as a streamed body, the others as an HTTP/1.1 upgrade.
/// </summary>
public sealed class NodeProxyHandler(ResourceService service, ResourceRegistry registry, KubeletConnector kubelets)
{
    /// <summary>Serves one of the four subresources of a pod.</summary>
    public async Task ServeAsync(HttpContext context, string ns, string podName, string subresource)
    {
        var cancellationToken = context.RequestAborted;
        var pod = await service.GetAsync(registry.Find("", "v1", "pods")!, ns, podName, cancellationToken);
        var query = context.Request.Query;
        var nodeName = (string?)(pod["spec"]?["nodeName"] as JsonValue);
        var phase = (string?)(pod["status"]?["phase"] as JsonValue);
        string? container = null;
        if (subresource != "portforward")
        {
            container = ContainerOf(pod, podName, query["container"].ToString());
        }
        if (string.IsNullOrEmpty(nodeName))
        {
            // Kubernetes answers logs of an unscheduled pod with an empty body.
            if (subresource == "log") return;
            throw ApiException.BadRequest($"pod {podName} does not have a host assigned");
        }
        if (subresource is "exec" or "attach" && phase is "Succeeded" or "Failed")
            throw ApiException.BadRequest($"cannot exec into or attach to a container in a completed pod; current phase is {phase}");
        if (subresource == "log" && !Flag(query, "previous") && Waiting(pod, container!) is { } reason)
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{podName}\" is waiting to start: {reason}");

        var node = await service.GetAsync(registry.Find("", "v1", "nodes")!, null, nodeName, cancellationToken);
        var (host, port) = KubeletLocation.Of(node, nodeName);
        var authority = KubeletLocation.Authority(host, port);
        var pathAndQuery = KubeletPath(subresource, ns, podName, container, query);
        if (subresource == "log")
        {
            await ProxyLogsAsync(context, new Uri($"https://{authority}{pathAndQuery}"), podName, cancellationToken);
            return;
        }
        await using var upstream = await ConnectAsync(host, port, nodeName, cancellationToken);
        await UpgradeProxy.RelayAsync(context, upstream, pathAndQuery, authority, cancellationToken);
    }

    private async Task<System.Net.Security.SslStream> ConnectAsync(string host, int port, string nodeName, CancellationToken cancellationToken)
    {
        try
        {
            return await kubelets.ConnectAsync(host, port, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(500, "InternalError", $"error dialing backend: dial tcp {KubeletLocation.Authority(host, port)} (node \"{nodeName}\"): {ex.Message}");
        }
    }

    /// <summary>The kubelet's path and query for a subresource request (Kubernetes' streamParams and log parameters).</summary>
    internal static string KubeletPath(string subresource, string ns, string pod, string? container, IQueryCollection query)
    {
        var segments = string.Join('/', new[] { ns, pod, container }.Where(s => s is not null).Select(s => Uri.EscapeDataString(s!)));
        var parameters = new List<KeyValuePair<string, string?>>();
        switch (subresource)
        {
            case "log":
                foreach (var name in new[] { "follow", "previous", "timestamps" })
                {
                    if (Flag(query, name)) parameters.Add(new(name, "true"));
                }
                foreach (var name in new[] { "tailLines", "sinceSeconds", "sinceTime", "limitBytes" })
                {
                    if (query[name] is { Count: > 0 } v && !string.IsNullOrEmpty(v[0])) parameters.Add(new(name, v[0]));
                }
                return QueryHelpers.AddQueryString($"/containerLogs/{segments}", parameters);
            case "exec" or "attach":
                foreach (var command in query["command"]) parameters.Add(new("command", command));
                if (Flag(query, "stdin")) parameters.Add(new("input", "1"));
                if (Flag(query, "stdout")) parameters.Add(new("output", "1"));
                if (Flag(query, "stderr")) parameters.Add(new("error", "1"));
                if (Flag(query, "tty")) parameters.Add(new("tty", "1"));
                return QueryHelpers.AddQueryString($"/{subresource}/{segments}", parameters);
            default:
                foreach (var port in query["ports"])
                {
                    foreach (var one in (port ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        parameters.Add(new("port", one));
                }
                return QueryHelpers.AddQueryString($"/portForward/{segments}", parameters);
        }
    }

    private async Task ProxyLogsAsync(HttpContext context, Uri uri, string podName, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        HttpResponseMessage response;
        try
        {
            response = await kubelets.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(500, "InternalError", $"Get \"{uri}\": {ex.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
                throw FromAgent((int)response.StatusCode, text, podName);
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await context.Response.StartAsync(cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>An agent error as the API server reports it (Kubernetes' generic response checker: the body is the message).</summary>
    private static ApiException FromAgent(int code, string body, string podName)
    {
        var reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            _ => "InternalError",
        };
        var message = body.Length > 0 ? body : $"the server responded with the status code {code} but did not return more information (get pods/log {podName})";
        return new ApiException(code, reason, message);
    }

    /// <summary>The container a request means: the named one (which must exist), or the only one.</summary>
    private static string ContainerOf(JsonObject pod, string podName, string requested)
    {
        var spec = pod["spec"] as JsonObject ?? [];
        List<string> Names(string field) => (spec[field] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => (string?)(c["name"] as JsonValue) ?? "").Where(n => n.Length > 0).ToList();
        var containers = Names("containers");
        var init = Names("initContainers");
        var ephemeral = Names("ephemeralContainers");
        if (requested.Length == 0)
        {
            if (containers.Count == 1) return containers[0];
            var message = new StringBuilder($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', containers)}]");
            if (init.Count > 0) message.Append($" or one of the init containers: [{string.Join(' ', init)}]");
            if (ephemeral.Count > 0) message.Append($" or one of the ephemeral containers: [{string.Join(' ', ephemeral)}]");
            throw ApiException.BadRequest(message.ToString());
        }
        if (!containers.Contains(requested) && !init.Contains(requested) && !ephemeral.Contains(requested))
            throw ApiException.BadRequest($"container {requested} is not valid for pod {podName}");
        return requested;
    }

    /// <summary>The waiting reason of a container that has not started yet, from the pod's status.</summary>
    private static string? Waiting(JsonObject pod, string container)
    {
        foreach (var field in new[] { "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses" })
        {
            foreach (var status in (pod["status"]?[field] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)(status["name"] as JsonValue) != container) continue;
                return status["state"]?["waiting"] is JsonObject waiting ? (string?)(waiting["reason"] as JsonValue) ?? "" : null;
            }
        }
        return null;
    }

    /// <summary>Kubernetes' query booleans: "true" or "1" (kubectl sends "true").</summary>
    private static bool Flag(IQueryCollection query, string name) =>
        query[name] is { Count: > 0 } values && values[0] is "1" or "true" or "True";
}
