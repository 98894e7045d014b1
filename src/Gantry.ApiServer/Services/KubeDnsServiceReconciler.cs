using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Services;

/// <summary>
/// The <c>kube-dns</c> Service in kube-system at the cluster DNS IP, as k3s's CoreDNS manifest declares it (labels
/// k8s-app=kube-dns and kubernetes.io/name=CoreDNS, ports dns/53 UDP, dns-tcp/53 TCP, metrics/9153 TCP), so
/// <c>kubectl get svc -n kube-system</c> and the DNS names of the service look as on k3s. It has no selector and no
/// endpoints: every agent answers its IP itself, on a local interface the service proxy leaves alone. Created at
/// start when missing; an edited or deleted one is the operator's choice and left as it is until the next start.
/// </summary>
internal sealed partial class KubeDnsServiceReconciler(ResourceService service, ResourceRegistry registry, string clusterIp, ILogger logger)
{
    /// <summary>The Service's name.</summary>
    public const string Name = "kube-dns";

    /// <summary>Its namespace.</summary>
    public const string Namespace = "kube-system";

    /// <summary>Creates the Service unless it exists; a cluster IP outside the service range or taken is logged, never fatal.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        try
        {
            await service.CreateAsync(registry.Find("", "v1", "services")!, Namespace, Desired(),
                new WriteOptions { FieldManager = "gantry-server" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
            // Already there, from an earlier start.
        }
        catch (ApiException ex)
        {
            LogCreateFailed(logger, clusterIp, ex);
        }
    }

    private JsonObject Desired() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject
            {
                ["k8s-app"] = "kube-dns",
                ["kubernetes.io/cluster-service"] = "true",
                ["kubernetes.io/name"] = "CoreDNS",
            },
            ["annotations"] = new JsonObject { ["prometheus.io/port"] = "9153", ["prometheus.io/scrape"] = "true" },
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = clusterIp,
            ["clusterIPs"] = new JsonArray(clusterIp),
            ["ports"] = new JsonArray(
                Port("dns", 53, "UDP"),
                Port("dns-tcp", 53, "TCP"),
                Port("metrics", 9153, "TCP")),
            ["sessionAffinity"] = "None",
        },
    };

    private static JsonObject Port(string name, int port, string protocol) =>
        new() { ["name"] = name, ["port"] = port, ["protocol"] = protocol, ["targetPort"] = port };

    [LoggerMessage(Level = LogLevel.Warning, Message = "creating the kube-dns service at {ClusterIp} failed")]
    private static partial void LogCreateFailed(ILogger logger, string clusterIp, Exception exception);
}
