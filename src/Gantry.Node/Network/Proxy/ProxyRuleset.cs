namespace Gantry.Node.Network.Proxy;

/// <summary>
/// The per-service part of the table that syncs compare: chains with their rules, verdict-map elements and affinity
/// sets. The fixed part (base chains, dispatch rules, map declarations) is written only by full syncs.
/// </summary>
internal sealed class ProxyRuleset
{
    /// <summary>Maps whose elements syncs add and delete.</summary>
    public static readonly string[] MapNames =
        [ProxyNames.ServiceIPsMap, ProxyNames.ServiceNodePortsMap, ProxyNames.NoEndpointServicesMap, ProxyNames.NoEndpointNodePortsMap];

    /// <summary>Service, local, external and endpoint chains, by name, with their rules in order.</summary>
    public Dictionary<string, string[]> Chains { get; } = new(StringComparer.Ordinal);

    /// <summary>Map name -> element key -> verdict.</summary>
    public Dictionary<string, Dictionary<string, string>> Elements { get; } =
        MapNames.ToDictionary(m => m, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Affinity set name -> timeout in seconds.</summary>
    public Dictionary<string, int> AffinitySets { get; } = new(StringComparer.Ordinal);

    /// <summary>Service ports programmed.</summary>
    public int ServicePorts { get; set; }

    /// <summary>Endpoint chains programmed.</summary>
    public int Endpoints { get; set; }

    /// <summary>Adds everything of <paramref name="part"/> (one service's rules) to this ruleset, sharing its rule arrays.</summary>
    public void Add(ProxyRuleset part)
    {
        foreach (var (chain, rules) in part.Chains) Chains[chain] = rules;
        foreach (var (map, elements) in part.Elements)
        {
            var target = Elements[map];
            foreach (var (key, verdict) in elements) target[key] = verdict;
        }
        foreach (var (set, timeout) in part.AffinitySets) AffinitySets[set] = timeout;
        ServicePorts += part.ServicePorts;
        Endpoints += part.Endpoints;
    }
}
