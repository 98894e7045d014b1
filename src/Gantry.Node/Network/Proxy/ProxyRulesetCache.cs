using k8s.Models;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Builds the ruleset from the informer caches, reusing each service's rules while neither the Service nor any of its
/// EndpointSlices changed (same resourceVersions), as kube-proxy's partial syncs skip unchanged services: one change
/// costs one service's rule building, not all of them.
/// </summary>
internal sealed class ProxyRulesetCache(ServiceProxyOptions options)
{
    private Dictionary<(string, string), (string Version, ProxyRuleset Rules)> _services = [];

    public ProxyRuleset Build(IReadOnlyList<V1Service> services, IReadOnlyList<V1EndpointSlice> slices)
    {
        var slicesByService = ServicePortCatalog.SlicesByService(slices);
        var next = new Dictionary<(string, string), (string Version, ProxyRuleset Rules)>(services.Count);
        var ruleset = new ProxyRuleset();
        foreach (var service in services)
        {
            var key = (service.Metadata.NamespaceProperty ?? "", service.Metadata.Name);
            var serviceSlices = slicesByService.GetValueOrDefault(key) ?? [];
            var version = Version(service, serviceSlices);
            if (version is null || !_services.TryGetValue(key, out var cached) || cached.Version != version)
                cached = (version ?? "", ProxyRulesetBuilder.Build(ServicePortCatalog.Ports(service, serviceSlices), options));
            if (version is not null) next[key] = cached;
            ruleset.Add(cached.Rules);
        }
        _services = next;
        return ruleset;
    }

    /// <summary>The resourceVersions the rules were built from; null when an object has none (never cached).</summary>
    private static string? Version(V1Service service, List<V1EndpointSlice> slices)
    {
        if (service.Metadata.ResourceVersion is not { } serviceVersion || slices.Any(s => s.Metadata.ResourceVersion is null)) return null;
        return slices.Count == 0
            ? serviceVersion
            : serviceVersion + "/" + string.Join(",", slices.Select(s => s.Metadata.Name + "=" + s.Metadata.ResourceVersion).Order(StringComparer.Ordinal));
    }
}
