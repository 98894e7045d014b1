using k8s.Models;

namespace Gantry.Controllers.Endpoints;

/// <summary>
/// Kubernetes' RepackSubsets and truncateEndpoints for Endpoints: one subset per distinct port set, each address once
/// (ready wins over not ready), sorted so equal content compares equal; more than the capacity keeps a proportional
/// share of each subset, ready addresses first.
/// </summary>
internal static class EndpointSubsets
{
    /// <summary>One address with the ports it serves, ready or not.</summary>
    public sealed record Entry(V1EndpointAddress Address, IReadOnlyList<Corev1EndpointPort> Ports, bool Ready);

    /// <summary>
    /// Builds the subsets as RepackSubsets does: each port maps to the addresses offering it (ready if any entry says
    /// so), and ports offered by exactly the same addresses share a subset.
    /// </summary>
    public static List<V1EndpointSubset> Repack(IEnumerable<Entry> entries)
    {
        var addresses = new Dictionary<string, V1EndpointAddress>(StringComparer.Ordinal);
        // A port-less entry (a headless service without ports) maps under a sentinel key with no port.
        var byPort = new Dictionary<string, (Corev1EndpointPort? Port, SortedDictionary<string, bool> Ready)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var key = AddressKey(entry.Address);
            addresses.TryAdd(key, entry.Address);
            foreach (var port in entry.Ports.Count > 0 ? entry.Ports : [null!])
            {
                var portKey = port is null ? "" : $"{port.Name}/{port.Port}/{port.Protocol}/{port.AppProtocol}";
                if (!byPort.TryGetValue(portKey, out var set)) byPort[portKey] = set = (port, new SortedDictionary<string, bool>(StringComparer.Ordinal));
                set.Ready[key] = set.Ready.TryGetValue(key, out var wasReady) && wasReady || entry.Ready;
            }
        }
        var subsets = new SortedDictionary<string, (SortedDictionary<string, bool> Ready, List<Corev1EndpointPort> Ports)>(StringComparer.Ordinal);
        foreach (var (_, (port, ready)) in byPort)
        {
            var signature = string.Join(",", ready.Select(a => $"{a.Key}={a.Value}"));
            if (!subsets.TryGetValue(signature, out var subset)) subsets[signature] = subset = (ready, []);
            if (port is not null) subset.Ports.Add(port);
        }
        return subsets.Values.Select(s => new V1EndpointSubset
        {
            Addresses = s.Ready.Where(a => a.Value).Select(a => addresses[a.Key]).ToList() is { Count: > 0 } ready ? ready : null,
            NotReadyAddresses = s.Ready.Where(a => !a.Value).Select(a => addresses[a.Key]).ToList() is { Count: > 0 } notReady ? notReady : null,
            Ports = s.Ports.Count > 0
                ? s.Ports.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal).ToList()
                : null,
        }).ToList();
    }

    /// <summary>Number of ready and not-ready addresses.</summary>
    public static int Count(IEnumerable<V1EndpointSubset>? subsets) =>
        subsets?.Sum(s => (s.Addresses?.Count ?? 0) + (s.NotReadyAddresses?.Count ?? 0)) ?? 0;

    /// <summary>Cuts the subsets down to <paramref name="capacity"/> addresses; false when they fit already.</summary>
    public static bool Truncate(IList<V1EndpointSubset> subsets, int capacity)
    {
        var totalReady = subsets.Sum(s => s.Addresses?.Count ?? 0);
        var totalNotReady = subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
        if (totalReady + totalNotReady <= capacity) return false;
        var truncateReady = totalReady > capacity;
        var max = truncateReady ? capacity : capacity - totalReady;
        var total = truncateReady ? totalReady : totalNotReady;
        var room = max;
        foreach (var subset in subsets)
        {
            var inSubset = truncateReady ? subset.Addresses?.Count ?? 0 : subset.NotReadyAddresses?.Count ?? 0;
            // Each subset keeps its share of the room, rounded up; the last ones get what is left.
            var keep = Math.Min((int)Math.Ceiling((double)inSubset / total * max), room);
            if (truncateReady)
            {
                subset.Addresses = subset.Addresses?.Take(keep).ToList();
                subset.NotReadyAddresses = null;
                room -= subset.Addresses?.Count ?? 0;
            }
            else
            {
                subset.NotReadyAddresses = subset.NotReadyAddresses?.Take(keep).ToList();
                room -= subset.NotReadyAddresses?.Count ?? 0;
            }
        }
        return true;
    }

    private static string AddressKey(V1EndpointAddress address) => $"{address.Ip}/{address.TargetRef?.Uid}";
}
