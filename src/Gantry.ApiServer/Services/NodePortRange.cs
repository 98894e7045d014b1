namespace Gantry.ApiServer.Services;

/// <summary>The node port range (30000-32767 by default) over Kubernetes' port allocation map.</summary>
internal sealed class NodePortRange
{
    private readonly AllocationBitmap _bitmap;

    private NodePortRange(int first, int size)
    {
        First = first;
        _bitmap = new AllocationBitmap(size, StaticBand(size));
    }

    /// <summary>The lowest port.</summary>
    public int First { get; }

    /// <summary>The range as Kubernetes prints it ("30000-32767").</summary>
    public string Text => $"{First}-{First + _bitmap.Size - 1}";

    /// <summary>Ports in use.</summary>
    public int Used => _bitmap.Used;

    /// <summary>Parses "first-last" (or a single port), as --service-node-port-range.</summary>
    public static NodePortRange Parse(string range)
    {
        var parts = range.Split('-');
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], out var first) || !int.TryParse(parts[^1], out var last)
            || first is < 1 or > 65535 || last is < 1 or > 65535 || last < first)
            throw new ArgumentException($"invalid node port range \"{range}\": expected FIRST-LAST within 1-65535");
        return new NodePortRange(first, last - first + 1);
    }

    /// <summary>Reserves <paramref name="port"/>; the Kubernetes error text when it cannot be.</summary>
    public string? Allocate(int port)
    {
        if (!Contains(port)) return NotInRange();
        return _bitmap.Allocate(port - First) ? null : "provided port is already allocated";
    }

    /// <summary>Checks, without reserving, whether <paramref name="port"/> is in the range.</summary>
    public string? CheckInRange(int port) => Contains(port) ? null : NotInRange();

    /// <summary>Reserves a random free port, the upper band first; null when full.</summary>
    public int? AllocateNext() => _bitmap.AllocateNext() is { } index ? First + index : null;

    /// <summary>Frees a port (no-op outside the range).</summary>
    public void Release(int port)
    {
        if (Contains(port)) _bitmap.Release(port - First);
    }

    /// <summary>The ports in use (a snapshot).</summary>
    public IEnumerable<int> UsedPorts() => _bitmap.UsedItems().Select(i => First + i);

    /// <summary>Whether the port is in use.</summary>
    public bool Has(int port) => Contains(port) && _bitmap.Has(port - First);

    private bool Contains(int port) => port >= First && port < First + _bitmap.Size;

    private string NotInRange() => $"provided port is not in the valid range. The range of valid ports is {Text}";

    /// <summary>Kubernetes' min(max(16, size/32), 128) ports reserved for static allocation (0 for tiny ranges).</summary>
    private static int StaticBand(int size) => size <= 16 ? 0 : Math.Clamp(size / 32, 16, 128);
}
