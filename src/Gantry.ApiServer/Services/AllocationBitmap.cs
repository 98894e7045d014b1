using System.Collections;
using System.Security.Cryptography;

namespace Gantry.ApiServer.Services;

/// <summary>
/// The used/free set of a range (cluster IPs or node ports) as Kubernetes' allocation map with its
/// "random scan with offset" strategy: the range is split into a lower static band of <c>offset</c> items, left for
/// users who request a value, and the upper dynamic band that random allocation draws from first. Only when the upper
/// band is full does random allocation fall back to the lower band. Thread-safe.
/// </summary>
internal sealed class AllocationBitmap
{
    private readonly BitArray _used;
    private readonly Lock _lock = new();
    private int _count;

    /// <summary>A bitmap of <paramref name="size"/> items whose first <paramref name="offset"/> form the static band.</summary>
    public AllocationBitmap(int size, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (offset < 0 || offset >= size) offset = 0;
        Size = size;
        Offset = offset;
        _used = new BitArray(size);
    }

    /// <summary>Number of items.</summary>
    public int Size { get; }

    /// <summary>Size of the lower, static band.</summary>
    public int Offset { get; }

    /// <summary>Items in use.</summary>
    public int Used { get { lock (_lock) return _count; } }

    /// <summary>Marks <paramref name="index"/> used; false when it already was.</summary>
    public bool Allocate(int index)
    {
        lock (_lock)
        {
            if (_used[index]) return false;
            _used[index] = true;
            _count++;
            return true;
        }
    }

    /// <summary>Marks a random free item used, from the dynamic band first; null when the range is full.</summary>
    public int? AllocateNext()
    {
        lock (_lock)
        {
            if (_count >= Size) return null;
            var upper = Size - Offset;
            var start = RandomNumberGenerator.GetInt32(upper);
            for (var i = 0; i < upper; i++)
            {
                var at = Offset + (start + i) % upper;
                if (!_used[at]) return Take(at);
            }
            if (Offset == 0) return null;
            start = RandomNumberGenerator.GetInt32(Offset);
            for (var i = 0; i < Offset; i++)
            {
                var at = (start + i) % Offset;
                if (!_used[at]) return Take(at);
            }
            return null;
        }
    }

    /// <summary>Frees <paramref name="index"/> (no-op when free).</summary>
    public void Release(int index)
    {
        lock (_lock)
        {
            if (!_used[index]) return;
            _used[index] = false;
            _count--;
        }
    }

    /// <summary>Whether <paramref name="index"/> is in use.</summary>
    public bool Has(int index)
    {
        lock (_lock) return _used[index];
    }

    /// <summary>The used items, in order (a snapshot).</summary>
    public List<int> UsedItems()
    {
        lock (_lock)
        {
            var used = new List<int>(_count);
            for (var i = 0; i < Size; i++)
                if (_used[i]) used.Add(i);
            return used;
        }
    }

    private int Take(int at)
    {
        _used[at] = true;
        _count++;
        return at;
    }
}
