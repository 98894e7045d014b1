using System.Collections.Concurrent;
using System.Globalization;
using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Kubernetes' assume cache: the informer's objects overlaid with the changes the scheduler decided but has not seen
/// come back yet (a volume's claimRef, a claim's selected-node), so the next pod, scheduled while the first one binds,
/// does not take the same volume. An assumed object gives way as soon as the informer holds a newer version.
/// </summary>
internal sealed class VolumeAssumeCache<T>(Informer<T> informer) where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _assumed = new(StringComparer.Ordinal);

    /// <summary>The assumed version of an object, or the informer's.</summary>
    public T? Get(string? ns, string name) => Current(ObjectKey.Of(ns, name), informer.Get(ns, name));

    /// <summary>The informer's objects, each replaced by its assumed version where there is one.</summary>
    public IEnumerable<T> List() => informer.List().Select(o => Current(ObjectKey.Of(o), o)!);

    /// <summary>The object as the API server last sent it (to check what was written).</summary>
    public T? GetApi(string? ns, string name) => informer.Get(ns, name);

    /// <summary>Overlays a changed copy of an object (its resourceVersion still that of the version it was made from).</summary>
    public void Assume(T changed) => _assumed[ObjectKey.Of(changed)] = changed;

    /// <summary>Drops an overlay (the decision was abandoned).</summary>
    public void Restore(T assumed) => _assumed.TryRemove(new KeyValuePair<string, T>(ObjectKey.Of(assumed), assumed));

    /// <summary>Compares resourceVersions as the numbers they are here.</summary>
    public static int CompareVersions(T a, T b) => Version(a).CompareTo(Version(b));

    private T? Current(string key, T? fromInformer)
    {
        if (!_assumed.TryGetValue(key, out var assumed)) return fromInformer;
        if (fromInformer is null || CompareVersions(fromInformer, assumed) > 0)
        {
            _assumed.TryRemove(new KeyValuePair<string, T>(key, assumed));
            return fromInformer;
        }
        return assumed;
    }

    private static long Version(T obj) =>
        long.TryParse(obj.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;
}
