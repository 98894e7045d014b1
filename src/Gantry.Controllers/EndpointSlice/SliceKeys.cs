using k8s.Models;

namespace Gantry.Controllers.EndpointSlice;

/// <summary>Identities used to match desired and existing slices: a port set's key and an endpoint's key.</summary>
internal static class SliceKeys
{
    /// <summary>The key of a port set, independent of order.</summary>
    public static string PortsKey(IEnumerable<Discoveryv1EndpointPort>? ports) =>
        string.Join(",", (ports ?? []).Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}").Order(StringComparer.Ordinal));

    /// <summary>An endpoint is the same endpoint when its pod, addresses and hostname are (conditions may change).</summary>
    public static string EndpointKey(V1Endpoint endpoint) =>
        $"{endpoint.TargetRef?.NamespaceProperty}/{endpoint.TargetRef?.Name}|{string.Join(",", (endpoint.Addresses ?? []).Order(StringComparer.Ordinal))}|{endpoint.Hostname}";

    /// <summary>Whether two label sets are equal.</summary>
    public static bool SameLabels(IDictionary<string, string>? current, IDictionary<string, string> desired) =>
        (current?.Count ?? 0) == desired.Count && desired.All(l => current!.TryGetValue(l.Key, out var v) && v == l.Value);
}
