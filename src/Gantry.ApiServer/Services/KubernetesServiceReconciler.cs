using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Services;

/// <summary>
/// The API server's own Service, as Kubernetes' bootstrap controller and master endpoints reconciler keep it: the
/// <c>kubernetes</c> Service in <c>default</c> (the first address of the service CIDR, port 443 "https" to the
/// server's port) with an Endpoints (labelled skip-mirror) and an EndpointSlice of the same name listing the server's
/// advertised address. Reconciled at start and every <see cref="Interval"/>, so a deleted or edited object comes back.
/// </summary>
internal sealed partial class KubernetesServiceReconciler(ResourceService service, ResourceRegistry registry, string clusterIp, string address, int port, ILogger logger)
{
    /// <summary>Kubernetes' endpoint reconciler interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Name of the service and its endpoints.</summary>
    public const string Name = "kubernetes";

    /// <summary>Its namespace.</summary>
    public const string Namespace = "default";

    private const string FieldManager = "kube-apiserver";

    /// <summary>The address the endpoints advertise: the advertise address, else the bind address, else the host's first usable IPv4 address.</summary>
    public static string AdvertisedIp(ServerOptions options)
    {
        if (options.AdvertiseAddress is { } advertise && IPAddress.TryParse(advertise, out var ip)) return ip.ToString();
        if (!options.BindAddress.Equals(IPAddress.Any) && !options.BindAddress.Equals(IPAddress.IPv6Any)) return options.BindAddress.ToString();
        return (Gantry.Api.Net.HostAddresses.FirstUsableIPv4() ?? IPAddress.Loopback).ToString();
    }

    /// <summary>Creates or repairs the three objects once.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(registry.Find("", "v1", "services")!, DesiredService(), ServiceDiffers, (current, desired) =>
        {
            var spec = ServiceSpec.Of(current);
            spec["ports"] = desired["spec"]!["ports"]!.DeepClone();
            spec["type"] = "ClusterIP";
        }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(registry.Find("", "v1", "endpoints")!, DesiredEndpoints(), (current, desired) =>
            !JsonNode.DeepEquals(current["subsets"], desired["subsets"]) || !JsonNode.DeepEquals(current["metadata"]?["labels"], desired["metadata"]!["labels"]),
            (current, desired) =>
            {
                current["subsets"] = desired["subsets"]!.DeepClone();
                ObjectMeta.Of(current)["labels"] = desired["metadata"]!["labels"]!.DeepClone();
            }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(registry.Find("discovery.k8s.io", "v1", "endpointslices")!, DesiredSlice(), (current, desired) =>
            new[] { "addressType", "endpoints", "ports" }.Any(f => !JsonNode.DeepEquals(current[f], desired[f]))
            || !JsonNode.DeepEquals(current["metadata"]?["labels"], desired["metadata"]!["labels"]),
            (current, desired) =>
            {
                foreach (var field in new[] { "addressType", "endpoints", "ports" }) current[field] = desired[field]!.DeepClone();
                ObjectMeta.Of(current)["labels"] = desired["metadata"]!["labels"]!.DeepClone();
            }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reconcile at start: a failure (the first address taken by another Service) is logged, never fatal.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            LogReconcileFailed(logger, ex);
        }
    }

    /// <summary>Reconciles every <see cref="Interval"/> until cancelled; failures are logged and retried.</summary>
    public async Task RunAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ApiException or Storage.StoreException or IOException)
            {
                LogReconcileFailed(logger, ex);
            }
        }
    }

    private async Task EnsureAsync(ResourceDefinition def, JsonObject desired, Func<JsonObject, JsonObject, bool> differs, Action<JsonObject, JsonObject> repair,
        CancellationToken cancellationToken)
    {
        JsonObject current;
        try
        {
            current = await service.GetAsync(def, Namespace, Name, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
            try
            {
                await service.CreateAsync(def, Namespace, desired, new WriteOptions { FieldManager = FieldManager }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ApiException conflict) when (conflict.Code == 409)
            {
                current = await service.GetAsync(def, Namespace, Name, cancellationToken).ConfigureAwait(false);
            }
        }
        if (!differs(current, desired)) return;
        await service.GuaranteedUpdateAsync(def, Namespace, Name, 0, (latest, _) =>
        {
            repair(latest, desired);
            return latest;
        }, status: false, new WriteOptions { FieldManager = FieldManager }, cancellationToken).ConfigureAwait(false);
    }

    private static bool ServiceDiffers(JsonObject current, JsonObject desired)
    {
        var spec = ServiceSpec.Of(current);
        if (ServiceSpec.Type(spec) != "ClusterIP" || spec["ports"] is not JsonArray { Count: 1 } ports) return true;
        var want = (JsonObject)desired["spec"]!["ports"]![0]!;
        var have = ports[0] as JsonObject;
        return new[] { "name", "port", "protocol", "targetPort" }.Any(f => !JsonNode.DeepEquals(have?[f], want[f]));
    }

    private JsonObject DesiredService() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = clusterIp,
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = port }),
            ["sessionAffinity"] = "None",
        },
    };

    private JsonObject DesiredEndpoints() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Endpoints",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" },
        },
        ["subsets"] = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["ip"] = address }),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
        }),
    };

    private JsonObject DesiredSlice() => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = Name },
        },
        ["addressType"] = address.Contains(':') ? "IPv6" : "IPv4",
        ["endpoints"] = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(address),
            ["conditions"] = new JsonObject { ["ready"] = true },
        }),
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "reconciling the kubernetes service failed")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
