using System.Net;
using System.Text;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Computes the per-service chains and map elements from the service ports, following kube-proxy's nftables
/// syncProxyRules: ClusterIPs dispatch through @service-ips to a service chain that balances with numgen over the
/// endpoints (a local chain over this node's endpoints with internalTrafficPolicy Local); externally reachable
/// destinations (NodePorts, externalIPs, load-balancer IPs) go through an external chain that marks for masquerade
/// (policy Cluster) or keeps the source (policy Local); services without endpoints get a reject (or, with endpoints
/// but none local for a Local policy, a drop) in the no-endpoint maps instead.
/// </summary>
internal static class ProxyRulesetBuilder
{
    public static ProxyRuleset Build(IEnumerable<ProxiedServicePort> ports, ServiceProxyOptions options)
    {
        var ruleset = new ProxyRuleset();
        foreach (var port in ports)
        {
            // Answered by a listener on this node (the node-local cluster DNS): no DNAT, and no reject for its missing endpoints.
            if (options.NodeLocalServiceIPs.Count > 0 && options.NodeLocalServiceIPs.Contains(IPAddress.Parse(port.ClusterIP))) continue;
            Add(ruleset, port, options);
            ruleset.ServicePorts++;
        }
        return ruleset;
    }

    private static void Add(ProxyRuleset ruleset, ProxiedServicePort port, ServiceProxyOptions options)
    {
        var clusterEndpoints = Usable(port.Endpoints);
        var localEndpoints = port.ExternalPolicyLocal || port.InternalPolicyLocal
            ? Usable(port.Endpoints.Where(e => e.NodeName == options.NodeName).ToList())
            : [];
        var internalEndpoints = port.InternalPolicyLocal ? localEndpoints : clusterEndpoints;
        var reachable = clusterEndpoints.Union(localEndpoints).ToList();
        var hasEndpoints = reachable.Count > 0;
        var hasExternalEndpoints = port.ExternalPolicyLocal ? localEndpoints.Count > 0 : hasEndpoints;

        var usesExternalChain = hasEndpoints && port.ExternallyAccessible;
        // Names are hashes, each computed once and only when used: a burst of 1,000 services needs some 11,000 of them.
        var clusterChain = ProxyNames.ServiceChain(port);
        var localChain = port.ExternalPolicyLocal || port.InternalPolicyLocal ? ProxyNames.LocalChain(port) : "";
        var externalChain = usesExternalChain ? ProxyNames.ExternalChain(port) : "";
        var endpointChains = reachable.ToDictionary(e => e, e => ProxyNames.EndpointChain(port, e));
        var externalPolicyChain = port.ExternalPolicyLocal ? localChain : clusterChain;
        var internalPolicyChain = port.InternalPolicyLocal ? localChain : clusterChain;
        var noEndpointsVerdict = hasEndpoints ? "drop" : "goto " + ProxyNames.RejectChain;

        var clusterIPKey = Key(port.ClusterIP, port);
        if (internalEndpoints.Count > 0) ruleset.Elements[ProxyNames.ServiceIPsMap][clusterIPKey] = "goto " + internalPolicyChain;
        else ruleset.Elements[ProxyNames.NoEndpointServicesMap][clusterIPKey] = noEndpointsVerdict;

        foreach (var ip in port.ExternalIPs.Concat(port.LoadBalancerIPs))
        {
            if (hasEndpoints) ruleset.Elements[ProxyNames.ServiceIPsMap][Key(ip, port)] = "goto " + externalChain;
            if (!hasExternalEndpoints) ruleset.Elements[ProxyNames.NoEndpointServicesMap][Key(ip, port)] = noEndpointsVerdict;
        }
        if (port.NodePort != 0)
        {
            var nodePortKey = $"{port.Protocol} . {port.NodePort}";
            if (hasEndpoints) ruleset.Elements[ProxyNames.ServiceNodePortsMap][nodePortKey] = "goto " + externalChain;
            if (!hasExternalEndpoints) ruleset.Elements[ProxyNames.NoEndpointNodePortsMap][nodePortKey] = noEndpointsVerdict;
        }

        // Off-cluster clients reaching a ClusterIP (a static route to the service range) may bounce off-node: masquerade
        // them, first thing in the chain the ClusterIP leads to.
        var masquerade = options.ClusterCidr is null
            ? null
            : $"ip daddr {port.ClusterIP} {port.Protocol} dport {port.Port} ip saddr != {options.ClusterCidr} jump {ProxyNames.MarkMasqueradeChain}";
        foreach (var (chain, endpoints) in new[] { (clusterChain, clusterEndpoints), (localChain, localEndpoints) })
        {
            if (endpoints.Count == 0) continue;
            var rules = new List<string>();
            if (masquerade is not null && chain == internalPolicyChain) rules.Add(masquerade);
            AddBalancing(rules, port, endpoints, endpointChains);
            ruleset.Chains[chain] = [.. rules];
        }

        if (usesExternalChain)
        {
            var rules = new List<string>();
            if (!port.ExternalPolicyLocal)
            {
                // Cluster policy may send the packet to another node: masquerade so the reply comes back through us.
                rules.Add("jump " + ProxyNames.MarkMasqueradeChain);
            }
            else
            {
                // Pods and the node itself reaching an external destination are short-circuited to all endpoints,
                // as if they had gone out to a load balancer and come back in; the node's own traffic still needs
                // masquerade since its source is a local address.
                if (options.ClusterCidr is not null) rules.Add($"ip saddr {options.ClusterCidr} goto {clusterChain}");
                rules.Add("fib saddr type local jump " + ProxyNames.MarkMasqueradeChain);
                rules.Add("fib saddr type local goto " + clusterChain);
            }
            if (hasExternalEndpoints) rules.Add("goto " + externalPolicyChain);
            ruleset.Chains[externalChain] = [.. rules];
        }

        foreach (var endpoint in reachable)
        {
            var rules = new List<string>
            {
                // Hairpin: a pod reaching itself through its service must not see its own address as the source.
                $"ip saddr {endpoint.IP} jump {ProxyNames.MarkMasqueradeChain}",
            };
            if (port.AffinityTimeoutSeconds is { } timeout)
            {
                var set = ProxyNames.AffinitySet(port, endpoint);
                ruleset.AffinitySets[set] = timeout;
                rules.Add($"update @{set} {{ ip saddr }}");
            }
            rules.Add($"meta l4proto {port.Protocol} dnat to {endpoint.IP}:{endpoint.Port}");
            ruleset.Chains[endpointChains[endpoint]] = [.. rules];
            ruleset.Endpoints++;
        }
    }

    /// <summary>Ready endpoints; only when none is ready, the serving terminating ones (kube-proxy's CategorizeEndpoints).</summary>
    private static List<ProxiedEndpoint> Usable(IReadOnlyList<ProxiedEndpoint> endpoints)
    {
        var ready = endpoints.Where(e => e.Ready).ToList();
        return ready.Count > 0 ? ready : endpoints.Where(e => e.Serving && e.Terminating).ToList();
    }

    private static void AddBalancing(List<string> rules, ProxiedServicePort port, List<ProxiedEndpoint> endpoints, Dictionary<ProxiedEndpoint, string> endpointChains)
    {
        if (port.AffinityTimeoutSeconds is not null)
        {
            // A client seen within the timeout goes back to the endpoint it had (the set entries expire by themselves).
            foreach (var endpoint in endpoints)
                rules.Add($"ip saddr @{ProxyNames.AffinitySet(port, endpoint)} goto {endpointChains[endpoint]}");
        }
        var map = new StringBuilder($"numgen random mod {endpoints.Count} vmap {{ ");
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (i > 0) map.Append(", ");
            map.Append(i).Append(" : goto ").Append(endpointChains[endpoints[i]]);
        }
        rules.Add(map.Append(" }").ToString());
    }

    private static string Key(string ip, ProxiedServicePort port) => $"{ip} . {port.Protocol} . {port.Port}";
}
