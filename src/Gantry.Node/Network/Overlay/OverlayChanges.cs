namespace Gantry.Node.Network.Overlay;

/// <summary>What turns the kernel's current overlay state into the wanted one: entries to delete and to add or replace.</summary>
internal sealed record OverlayChanges(
    IReadOnlyList<OverlayRoute> RouteDeletes,
    IReadOnlyList<OverlayNeighbor> NeighborDeletes,
    IReadOnlyList<OverlayFdbEntry> FdbDeletes,
    IReadOnlyList<OverlayFdbEntry> FdbAdds,
    IReadOnlyList<OverlayNeighbor> NeighborAdds,
    IReadOnlyList<OverlayRoute> RouteAdds)
{
    /// <summary>How many kernel operations the changes take.</summary>
    public int Count => RouteDeletes.Count + NeighborDeletes.Count + FdbDeletes.Count + FdbAdds.Count + NeighborAdds.Count + RouteAdds.Count;

    /// <summary>
    /// The changes from <paramref name="current"/> to <paramref name="wanted"/>. Routes are keyed by destination and
    /// neighbors by address, so a changed one is replaced in place (no gap in connectivity); FDB entries are keyed by
    /// MAC and destination, since one MAC may have several destinations and <c>bridge fdb replace</c> keeps only one.
    /// </summary>
    public static OverlayChanges Between(OverlayKernelState current, OverlayKernelState wanted)
    {
        var wantedRoutes = wanted.Routes.ToDictionary(r => r.Destination);
        var currentRoutes = current.Routes.GroupBy(r => r.Destination).ToDictionary(g => g.Key, g => g.First());
        var wantedNeighbors = wanted.Neighbors.ToDictionary(n => n.Address);
        var currentNeighbors = current.Neighbors.GroupBy(n => n.Address).ToDictionary(g => g.Key, g => g.First());
        var wantedFdb = wanted.Fdb.ToHashSet();
        var currentFdb = current.Fdb.ToHashSet();
        return new OverlayChanges(
            current.Routes.Where(r => !wantedRoutes.ContainsKey(r.Destination)).ToList(),
            current.Neighbors.Where(n => !wantedNeighbors.ContainsKey(n.Address)).ToList(),
            current.Fdb.Where(f => !wantedFdb.Contains(f)).ToList(),
            wanted.Fdb.Where(f => !currentFdb.Contains(f)).ToList(),
            wanted.Neighbors.Where(n => !currentNeighbors.TryGetValue(n.Address, out var had) || had != n).ToList(),
            wanted.Routes.Where(r => !currentRoutes.TryGetValue(r.Destination, out var had) || had != r).ToList());
    }
}
