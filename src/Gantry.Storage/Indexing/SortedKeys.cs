namespace Gantry.Storage.Indexing;

/// <summary>
/// A set of keys in ordinal order, for the indexes that must list keys by prefix while writes keep adding to them:
/// sorted runs ("leaves") of up to <see cref="LeafCapacity"/> keys, found by a binary search over each run's first key,
/// i.e. a B+tree of two levels. It replaces a red-black tree (<c>SortedSet</c>), whose insert walked ~20 nodes scattered
/// over the heap and allocated a node that every young collection then copied: with a few hundred thousand keys that
/// was ~5 µs per insert on the store's single writer, between a batch's commit and its callers' answers.
/// Not thread-safe: callers lock.
/// </summary>
public sealed class SortedKeys
{
    /// <summary>The most keys one run holds; a full run splits in two.</summary>
    public const int LeafCapacity = 256;

    // A run starts small (most resources hold a handful of objects) and grows by doubling up to the capacity.
    private const int FirstLeafSize = 8;

    private readonly List<Leaf> _leaves = [];
    // The first key of every run but the first, side by side: the search over runs reads one array instead of
    // following each run to its keys.
    private string[] _firsts = new string[16];

    /// <summary>How many keys the set holds.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a key; false when it was there already.</summary>
    public bool Add(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_leaves.Count == 0)
        {
            _leaves.Add(new Leaf(FirstLeafSize));
        }
        var index = LeafFor(key);
        var leaf = _leaves[index];
        var at = leaf.Find(key);
        if (at >= 0)
        {
            return false;
        }
        at = ~at;
        if (leaf.Count == LeafCapacity)
        {
            var right = leaf.SplitOff();
            _leaves.Insert(index + 1, right);
            InsertFirst(index + 1, right.Keys[0]);
            if (at > leaf.Count)
            {
                at -= leaf.Count;
                leaf = right;
            }
        }
        leaf.Insert(at, key);
        Count++;
        return true;
    }

    /// <summary>Removes a key; false when it was not there.</summary>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_leaves.Count == 0)
        {
            return false;
        }
        var index = LeafFor(key);
        var leaf = _leaves[index];
        var at = leaf.Find(key);
        if (at < 0)
        {
            return false;
        }
        leaf.RemoveAt(at);
        Count--;
        if (leaf.Count == 0)
        {
            RemoveLeaf(index);
        }
        else if (at == 0 && index > 0)
        {
            _firsts[index] = leaf.Keys[0];
        }
        else if (leaf.Count < LeafCapacity / 4)
        {
            // Runs left sparse by deletions join a neighbour, so the number of runs follows the number of keys.
            MergeIfSmall(index);
        }
        return true;
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        _leaves.Clear();
        Array.Clear(_firsts);
        Count = 0;
    }

    /// <summary>Every key at or after <paramref name="low"/>, in order. The set must not change during the enumeration.</summary>
    public IEnumerable<string> From(string low)
    {
        ArgumentNullException.ThrowIfNull(low);
        if (_leaves.Count == 0)
        {
            yield break;
        }
        var index = LeafFor(low);
        var at = _leaves[index].Find(low);
        if (at < 0) at = ~at;
        for (; index < _leaves.Count; index++, at = 0)
        {
            var leaf = _leaves[index];
            for (; at < leaf.Count; at++)
            {
                yield return leaf.Keys[at];
            }
        }
    }

    /// <summary>Every key starting with <paramref name="prefix"/> at or after <paramref name="low"/>, in order.</summary>
    public IEnumerable<string> WithPrefix(string prefix, string low)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var key in From(low))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield break;
            }
            yield return key;
        }
    }

    // The run whose first key is the last at or below the key (the first run when the key precedes them all).
    private int LeafFor(string key)
    {
        int lo = 1, hi = _leaves.Count - 1;
        var found = 0;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (string.CompareOrdinal(_firsts[mid], key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    private void MergeIfSmall(int index)
    {
        var leaf = _leaves[index];
        if (index + 1 < _leaves.Count && leaf.Count + _leaves[index + 1].Count <= LeafCapacity / 2)
        {
            leaf.Append(_leaves[index + 1]);
            RemoveLeaf(index + 1);
        }
        else if (index > 0 && _leaves[index - 1].Count + leaf.Count <= LeafCapacity / 2)
        {
            _leaves[index - 1].Append(leaf);
            RemoveLeaf(index);
        }
    }

    private void InsertFirst(int index, string key)
    {
        if (_leaves.Count > _firsts.Length)
        {
            Array.Resize(ref _firsts, _firsts.Length * 2);
        }
        Array.Copy(_firsts, index, _firsts, index + 1, _leaves.Count - 1 - index);
        _firsts[index] = key;
    }

    private void RemoveLeaf(int index)
    {
        _leaves.RemoveAt(index);
        Array.Copy(_firsts, index + 1, _firsts, index, _leaves.Count - index);
        _firsts[_leaves.Count] = null!;
        if (index == 0 && _leaves.Count > 0)
        {
            // The new first run needs no entry; keep slot 0 unused as before.
            _firsts[0] = null!;
        }
    }

    private sealed class Leaf(int size)
    {
        public string[] Keys { get; private set; } = new string[size];

        public int Count { get; private set; }

        public int Find(string key) => Array.BinarySearch(Keys, 0, Count, key, StringComparer.Ordinal);

        public void Insert(int at, string key)
        {
            if (Count == Keys.Length)
            {
                Grow(Math.Min(Keys.Length * 2, LeafCapacity));
            }
            Array.Copy(Keys, at, Keys, at + 1, Count - at);
            Keys[at] = key;
            Count++;
        }

        public void RemoveAt(int at)
        {
            Count--;
            Array.Copy(Keys, at + 1, Keys, at, Count - at);
            Keys[Count] = null!;
        }

        /// <summary>Moves the upper half of this full run into a new run.</summary>
        public Leaf SplitOff()
        {
            var half = Count / 2;
            var right = new Leaf(LeafCapacity);
            Array.Copy(Keys, half, right.Keys, 0, Count - half);
            right.Count = Count - half;
            Array.Clear(Keys, half, Count - half);
            Count = half;
            return right;
        }

        /// <summary>Takes every key of the run that follows this one.</summary>
        public void Append(Leaf next)
        {
            if (Count + next.Count > Keys.Length)
            {
                Grow(LeafCapacity);
            }
            Array.Copy(next.Keys, 0, Keys, Count, next.Count);
            Count += next.Count;
        }

        private void Grow(int size)
        {
            var keys = new string[size];
            Array.Copy(Keys, keys, Count);
            Keys = keys;
        }
    }
}
