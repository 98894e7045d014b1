namespace Gantry.Scheduler.Framework;

/// <summary>Counts per topology domain that drop domains reaching zero, so "no domain counted" stays an emptiness test.</summary>
internal sealed class TopologyCounts
{
    private readonly Dictionary<TopologyPair, long> _counts;

    /// <summary>No counts.</summary>
    public TopologyCounts() => _counts = [];

    private TopologyCounts(Dictionary<TopologyPair, long> counts) => _counts = counts;

    /// <summary>How many domains have a non-zero count.</summary>
    public int Count => _counts.Count;

    /// <summary>The count of a domain (0 when absent).</summary>
    public long this[TopologyPair pair] => _counts.GetValueOrDefault(pair);

    /// <summary>Adds <paramref name="delta"/> to a domain.</summary>
    public void Add(TopologyPair pair, long delta)
    {
        var next = _counts.GetValueOrDefault(pair) + delta;
        if (next == 0) _counts.Remove(pair);
        else _counts[pair] = next;
    }

    /// <summary>Adds every count of <paramref name="other"/>.</summary>
    public void Add(TopologyCounts other)
    {
        foreach (var (pair, count) in other._counts) Add(pair, count);
    }

    /// <summary>A copy.</summary>
    public TopologyCounts Clone() => new(new Dictionary<TopologyPair, long>(_counts));
}
