using k8s.Models;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Each service's rules, rebuilt only when the Service or one of its EndpointSlices changed (another resourceVersion),
/// as kube-proxy's partial syncs skip unchanged services. <see cref="Update"/> hands back only the changed services'
/// old and new rules, so a sync after one change compares and writes one service, not all of them.
/// </summary>
internal sealed class ProxyRulesetCache(ServiceProxyOptions options)
{
    private Dictionary<(string, string), (string? Version, ProxyRuleset Rules)> _services = [];

    /// <summary>Rules built by <see cref="Prepare"/> for changes not synced yet, by service and version.</summary>
    private readonly Dictionary<(string, string), (string Version, ProxyRuleset Rules)> _prepared = [];

    /// <summary>Service ports of the latest <see cref="Update"/>.</summary>
    public int ServicePorts { get; private set; }

    /// <summary>Endpoint chains of the latest <see cref="Update"/>.</summary>
    public int Endpoints { get; private set; }

    /// <summary>Rebuilds what changed since the last call: the rules of the changed, added and removed services before and after.</summary>
    public (ProxyRuleset Before, ProxyRuleset After) Update(IReadOnlyList<V1Service> services, IReadOnlyList<V1EndpointSlice> slices)
    {
        var next = new Dictionary<(string, string), (string? Version, ProxyRuleset Rules)>(services.Count);
        var (before, after) = (new ProxyRuleset(), new ProxyRuleset());
        int servicePorts = 0, endpoints = 0;
        foreach (var (key, service, serviceSlices, version) in Versioned(services, slices))
        {
            var known = _services.TryGetValue(key, out var old);
            (string? Version, ProxyRuleset Rules) current = known && version is not null && old.Version == version
                ? old
                : _prepared.TryGetValue(key, out var prepared) && prepared.Version == version
                    ? prepared
                    : (version, Build(service, serviceSlices));
            next[key] = current;
            servicePorts += current.Rules.ServicePorts;
            endpoints += current.Rules.Endpoints;
            if (ReferenceEquals(current.Rules, old.Rules)) continue;
            if (known) before.Add(old.Rules);
            after.Add(current.Rules);
        }
        foreach (var (key, gone) in _services)
        {
            if (!next.ContainsKey(key)) before.Add(gone.Rules);
        }
        _services = next;
        // What was prepared is now synced, or outdated by a later version.
        _prepared.Clear();
        (ServicePorts, Endpoints) = (servicePorts, endpoints);
        return (before, after);
    }

    /// <summary>
    /// Builds the rules of the services that changed since the last <see cref="Update"/> without syncing them, so the
    /// next <see cref="Update"/> only picks them up: the proxy calls this while the rate limit holds a sync back, which
    /// keeps building a burst's rules out of the sync that writes them.
    /// </summary>
    public void Prepare(IReadOnlyList<V1Service> services, IReadOnlyList<V1EndpointSlice> slices)
    {
        foreach (var (key, service, serviceSlices, version) in Versioned(services, slices))
        {
            // Objects without resourceVersions are rebuilt by every Update anyway.
            if (version is null
                || _services.TryGetValue(key, out var synced) && synced.Version == version
                || _prepared.TryGetValue(key, out var prepared) && prepared.Version == version) continue;
            _prepared[key] = (version, Build(service, serviceSlices));
        }
    }

    /// <summary>The chains (with their rules) and affinity sets of the prepared services that the last <see cref="Update"/> did not have.</summary>
    public ProxyRuleset NewPrepared()
    {
        var fresh = new ProxyRuleset();
        foreach (var (key, (_, rules)) in _prepared)
        {
            var synced = _services.TryGetValue(key, out var service) ? service.Rules : null;
            foreach (var (chain, chainRules) in rules.Chains)
            {
                if (synced?.Chains.ContainsKey(chain) != true) fresh.Chains[chain] = chainRules;
            }
            foreach (var (set, timeout) in rules.AffinitySets)
            {
                if (synced?.AffinitySets.ContainsKey(set) != true) fresh.AffinitySets[set] = timeout;
            }
        }
        return fresh;
    }

    /// <summary>Each service with its EndpointSlices and the version its rules are built from.</summary>
    private static IEnumerable<((string, string) Key, V1Service Service, List<V1EndpointSlice> Slices, string? Version)> Versioned(
        IReadOnlyList<V1Service> services, IReadOnlyList<V1EndpointSlice> slices)
    {
        var slicesByService = ServicePortCatalog.SlicesByService(slices);
        foreach (var service in services)
        {
            var key = (service.Metadata.NamespaceProperty ?? "", service.Metadata.Name);
            var serviceSlices = slicesByService.GetValueOrDefault(key) ?? [];
            yield return (key, service, serviceSlices, Version(service, serviceSlices));
        }
    }

    private ProxyRuleset Build(V1Service service, List<V1EndpointSlice> slices) =>
        ProxyRulesetBuilder.Build(ServicePortCatalog.Ports(service, slices), options);

    /// <summary>The rules of every service as of the last <see cref="Update"/>, for a full sync.</summary>
    public ProxyRuleset Current()
    {
        var all = new ProxyRuleset();
        foreach (var (_, rules) in _services.Values) all.Add(rules);
        return all;
    }

    /// <summary>The resourceVersions the rules are built from; null when an object has none (then never reused).</summary>
    private static string? Version(V1Service service, List<V1EndpointSlice> slices)
    {
        if (service.Metadata.ResourceVersion is not { } serviceVersion || slices.Any(s => s.Metadata.ResourceVersion is null)) return null;
        return slices.Count == 0
            ? serviceVersion
            : serviceVersion + "/" + string.Join(",", slices.Select(s => s.Metadata.Name + "=" + s.Metadata.ResourceVersion).Order(StringComparer.Ordinal));
    }
}
