using k8s.Models;

namespace Gantry.Node.Tests.Proxy;

/// <summary>Services and EndpointSlices as the tests need them.</summary>
internal static class ProxyObjects
{
    public static V1Service Service(string name, string clusterIP, int port = 80, int? nodePort = null, string? affinity = null, string ns = "default") => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec
        {
            Type = nodePort is null ? "ClusterIP" : "NodePort",
            ClusterIP = clusterIP,
            ClusterIPs = [clusterIP],
            SessionAffinity = affinity ?? "None",
            Ports = [new V1ServicePort { Name = "http", Port = port, Protocol = "TCP", TargetPort = 80, NodePort = nodePort }],
            Selector = new Dictionary<string, string> { ["app"] = name },
        },
    };

    /// <summary>One endpoint: address, ready, serving, terminating.</summary>
    public record struct Endpoint(string Address, bool Ready = true, bool? Serving = null, bool Terminating = false, string? Node = null);

    public static V1EndpointSlice Slice(string service, int targetPort, IEnumerable<Endpoint> endpoints, string ns = "default", string? name = null) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = name ?? service + "-abc12",
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = targetPort, Protocol = "TCP" }],
        Endpoints = endpoints.Select(e => new V1Endpoint
        {
            Addresses = [e.Address],
            Conditions = new V1EndpointConditions { Ready = e.Ready, Serving = e.Serving ?? e.Ready, Terminating = e.Terminating },
            NodeName = e.Node,
        }).ToList(),
    };
}
