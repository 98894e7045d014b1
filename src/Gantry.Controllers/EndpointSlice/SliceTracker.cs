using System.Globalization;
using k8s.Models;

namespace Gantry.Controllers.EndpointSlice;

/// <summary>
/// Kubernetes' endpointSliceTracker: the slices this controller wrote, by the resourceVersion it wrote (or "deleted"),
/// so a sync that would read an informer cache older than its own writes waits instead of creating duplicates.
/// </summary>
internal sealed class SliceTracker
{
    private const long Deleted = -1;
    private readonly Dictionary<string, Dictionary<string, long>> _written = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records a slice this controller created or updated.</summary>
    public void Wrote(string service, V1EndpointSlice slice) => Set(service, slice.Metadata.Uid, Version(slice));

    /// <summary>Records a slice this controller deleted.</summary>
    public void Removed(string service, V1EndpointSlice slice) => Set(service, slice.Metadata.Uid, Deleted);

    /// <summary>A slice vanished from the cache (deleted by anyone): nothing about it is awaited any more.</summary>
    public void Vanished(string service, V1EndpointSlice slice)
    {
        lock (_lock)
        {
            if (_written.TryGetValue(service, out var written)) written.Remove(slice.Metadata.Uid);
        }
    }

    /// <summary>Forgets a deleted service.</summary>
    public void Forget(string service)
    {
        lock (_lock) _written.Remove(service);
    }

    /// <summary>
    /// Whether the cached slices miss one of this controller's writes (a created or updated slice not seen at its
    /// version yet, a deleted one still present). Writes the cache has caught up with are forgotten.
    /// </summary>
    public bool Stale(string service, IReadOnlyList<V1EndpointSlice> cached)
    {
        lock (_lock)
        {
            if (!_written.TryGetValue(service, out var written)) return false;
            var byUid = cached.ToDictionary(s => s.Metadata.Uid, Version, StringComparer.Ordinal);
            var stale = false;
            foreach (var (uid, version) in written.ToList())
            {
                var present = byUid.TryGetValue(uid, out var seen);
                var caughtUp = version == Deleted ? !present : present && seen >= version;
                if (caughtUp) written.Remove(uid); else stale = true;
            }
            if (written.Count == 0) _written.Remove(service);
            return stale;
        }
    }

    private void Set(string service, string uid, long version)
    {
        lock (_lock)
        {
            if (!_written.TryGetValue(service, out var written)) _written[service] = written = new Dictionary<string, long>(StringComparer.Ordinal);
            written[uid] = version;
        }
    }

    private static long Version(V1EndpointSlice slice) =>
        long.TryParse(slice.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;
}
