using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.Tests.Endpoints;

/// <summary>Pods, nodes and services for the endpoints tests, with the status a node agent would report (IP, readiness).</summary>
internal static class ServicePods
{
    /// <summary>Creates a pod labelled app=<paramref name="app"/> on <paramref name="node"/> with a named container port.</summary>
    public static async Task<V1Pod> CreateAsync(ApiClient client, string ns, string name, string app, string node = "node-1", int httpPort = 8080,
        string? hostname = null, string? subdomain = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Hostname = hostname,
                Subdomain = subdomain,
                Containers = [new V1Container { Name = "c", Image = "nginx", Ports = [new V1ContainerPort { Name = "http", ContainerPort = httpPort }] }],
            },
        };
        return await client.For<V1Pod>().CreateAsync(pod, ns);
    }

    /// <summary>Sets the pod Running with <paramref name="ip"/>, Ready or not, through the status subresource.</summary>
    public static async Task<V1Pod> RunAsync(ApiClient client, V1Pod pod, string ip, bool ready)
    {
        var fresh = await client.For<V1Pod>().GetAsync(pod.Namespace(), pod.Name()) ?? throw new InvalidOperationException("pod vanished");
        var now = DateTime.UtcNow;
        fresh.Status ??= new V1PodStatus();
        fresh.Status.Phase = "Running";
        fresh.Status.PodIP = ip;
        fresh.Status.PodIPs = [new V1PodIP { Ip = ip }];
        fresh.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = now }];
        return await client.For<V1Pod>().UpdateStatusAsync(fresh);
    }

    /// <summary>Creates a node (optionally in a zone) so the endpointslice controller can place pods on it.</summary>
    public static async Task CreateNodeAsync(ApiClient client, string name, string? zone = null) =>
        await client.For<V1Node>().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = zone is null ? null : new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = zone },
            },
        });

    /// <summary>Creates a service selecting app=<paramref name="app"/> with the given ports.</summary>
    public static async Task<V1Service> CreateServiceAsync(ApiClient client, string ns, string name, string? app, IList<V1ServicePort> ports,
        string? clusterIp = null, bool publishNotReady = false) =>
        await client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["team"] = "a" } },
            Spec = new V1ServiceSpec
            {
                Selector = app is null ? null : new Dictionary<string, string> { ["app"] = app },
                Ports = ports,
                ClusterIP = clusterIp,
                PublishNotReadyAddresses = publishNotReady ? true : null,
            },
        }, ns);

    /// <summary>A service port to the named container port "http".</summary>
    public static V1ServicePort Named(string name = "web", int port = 80) => new() { Name = name, Port = port, TargetPort = "http", Protocol = "TCP" };
}
