using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// The labels of every namespace (fed by the namespace informer) for the affinity terms' namespace selectors.
/// Copy-on-write: namespaces change rarely, and readers in a scheduling cycle then need no lock.
/// </summary>
internal sealed class NamespaceIndex
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private volatile Dictionary<string, IDictionary<string, string>> _labels = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a namespace.</summary>
    public void Set(V1Namespace ns)
    {
        lock (_lock)
        {
            _labels = new Dictionary<string, IDictionary<string, string>>(_labels, StringComparer.Ordinal)
            {
                [ns.Metadata.Name] = ns.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : NoLabels,
            };
        }
    }

    /// <summary>Forgets a deleted namespace.</summary>
    public void Remove(string name)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, IDictionary<string, string>>(_labels, StringComparer.Ordinal);
            next.Remove(name);
            _labels = next;
        }
    }

    /// <summary>The labels of a namespace, or null when it is unknown.</summary>
    public IDictionary<string, string>? Labels(string name) => _labels.GetValueOrDefault(name);

    /// <summary>The names of the namespaces whose labels <paramref name="selector"/> matches.</summary>
    public IEnumerable<string> Selected(LabelMatcher selector) =>
        _labels.Where(n => selector.Matches(n.Value)).Select(n => n.Key);
}
