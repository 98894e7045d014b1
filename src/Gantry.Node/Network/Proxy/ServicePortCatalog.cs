using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Turns Services and their EndpointSlices into the service ports the proxy programs, as kube-proxy's service and
/// endpoints change trackers do: IPv4 only, headless and ExternalName services skipped, endpoints joined to ports by
/// port name and protocol, the same address from two slices counted once.
/// </summary>
internal static class ServicePortCatalog
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private const int DefaultAffinityTimeoutSeconds = 10800;

    public static List<ProxiedServicePort> Build(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var slicesByService = SlicesByService(slices);
        return services.SelectMany(s => Ports(s, slicesByService.GetValueOrDefault((s.Metadata.NamespaceProperty ?? "", s.Metadata.Name)) ?? [])).ToList();
    }

    /// <summary>The IPv4 EndpointSlices of each service, by (namespace, service name).</summary>
    public static Dictionary<(string Namespace, string Name), List<V1EndpointSlice>> SlicesByService(IEnumerable<V1EndpointSlice> slices)
    {
        var slicesByService = new Dictionary<(string, string), List<V1EndpointSlice>>();
        foreach (var slice in slices)
        {
            if (slice.AddressType != "IPv4" || slice.Metadata?.Labels is null
                || !slice.Metadata.Labels.TryGetValue(ServiceNameLabel, out var serviceName)) continue;
            var key = (slice.Metadata.NamespaceProperty ?? "", serviceName);
            if (!slicesByService.TryGetValue(key, out var list)) slicesByService[key] = list = [];
            list.Add(slice);
        }
        return slicesByService;
    }

    /// <summary>The ports of one service with their endpoints from <paramref name="serviceSlices"/>; none for services the proxy ignores.</summary>
    public static List<ProxiedServicePort> Ports(V1Service service, List<V1EndpointSlice> serviceSlices)
    {
        var ports = new List<ProxiedServicePort>();
        var spec = service.Spec;
        if (spec is null || spec.Type == "ExternalName" || !IsIPv4(spec.ClusterIP) || spec.Ports is null) return ports;
        var ns = service.Metadata.NamespaceProperty ?? "";
        int? affinity = spec.SessionAffinity == "ClientIP"
            ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultAffinityTimeoutSeconds
            : null;
        var externalIPs = spec.ExternalIPs?.Where(IsIPv4).ToList() ?? [];
        var loadBalancerIPs = service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).Where(IsIPv4).Select(ip => ip!).ToList() ?? [];
        foreach (var port in spec.Ports)
        {
            var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
            ports.Add(new ProxiedServicePort
            {
                Namespace = ns,
                Name = service.Metadata.Name,
                PortName = port.Name ?? "",
                Protocol = protocol,
                ClusterIP = spec.ClusterIP,
                Port = port.Port,
                NodePort = spec.Type is "NodePort" or "LoadBalancer" ? port.NodePort ?? 0 : 0,
                ExternalIPs = externalIPs,
                LoadBalancerIPs = loadBalancerIPs,
                AffinityTimeoutSeconds = affinity,
                ExternalPolicyLocal = spec.ExternalTrafficPolicy == "Local" && spec.Type is "NodePort" or "LoadBalancer",
                InternalPolicyLocal = spec.InternalTrafficPolicy == "Local",
                Endpoints = EndpointsOf(serviceSlices, port.Name ?? "", protocol),
            });
        }
        return ports;
    }

    private static List<ProxiedEndpoint> EndpointsOf(List<V1EndpointSlice> slices, string portName, string protocol)
    {
        var endpoints = new List<ProxiedEndpoint>();
        var seen = new HashSet<(string, int)>();
        foreach (var slice in slices)
        {
            var port = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == portName && (p.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase));
            if (port?.Port is not { } number) continue;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                var address = endpoint.Addresses?.FirstOrDefault();
                if (!IsIPv4(address) || !seen.Add((address!, number))) continue;
                // Unset conditions read as ready and serving, and not terminating (the EndpointSlice API's rule).
                var ready = endpoint.Conditions?.Ready ?? true;
                endpoints.Add(new ProxiedEndpoint(address!, number, ready, endpoint.Conditions?.Serving ?? ready,
                    endpoint.Conditions?.Terminating ?? false, endpoint.NodeName));
            }
        }
        // A stable order keeps chain contents (and so the diff) unchanged when only slice order changes.
        endpoints.Sort((a, b) => string.CompareOrdinal(a.IP, b.IP) is var c and not 0 ? c : a.Port.CompareTo(b.Port));
        return endpoints;
    }

    private static bool IsIPv4(string? address) =>
        address is not null && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork;
}
