using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gantry.ApiServer.Services;

/// <summary>
/// The service CIDR as Kubernetes' IPv4 ipallocator lays it out: the network address and the broadcast address are
/// never handed out; item 0 of the bitmap is the first host address (.1, the <c>kubernetes</c> service).
/// </summary>
internal sealed class ClusterIpRange
{
    private readonly uint _network;
    private readonly AllocationBitmap _bitmap;

    private ClusterIpRange(string cidr, uint network, int prefix)
    {
        Cidr = cidr;
        _network = network;
        var cidrSize = 1L << (32 - prefix);
        var usable = (int)Math.Max(0, cidrSize - 2);
        if (usable == 0) throw new ArgumentException($"service CIDR {cidr} has no usable addresses");
        _bitmap = new AllocationBitmap(usable, StaticBand(cidrSize));
    }

    /// <summary>The CIDR as written by Kubernetes (network address / prefix).</summary>
    public string Cidr { get; }

    /// <summary>Addresses in use.</summary>
    public int Used => _bitmap.Used;

    /// <summary>Usable addresses.</summary>
    public int Size => _bitmap.Size;

    /// <summary>Parses an IPv4 CIDR such as 10.43.0.0/16 (the prefix must leave at least two host bits).</summary>
    public static ClusterIpRange Parse(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr.AsSpan(slash + 1), out var prefix) || prefix is < 8 or > 30)
            throw new ArgumentException($"invalid service CIDR \"{cidr}\": expected an IPv4 CIDR with a prefix between /8 and /30");
        var mask = uint.MaxValue << (32 - prefix);
        var network = ToUInt(address) & mask;
        return new ClusterIpRange($"{FromUInt(network)}/{prefix}", network, prefix);
    }

    /// <summary>The address <paramref name="n"/> hosts above the network address (1 = the kubernetes service).</summary>
    public string HostAddress(int n) => FromUInt(_network + (uint)n);

    /// <summary>Reserves <paramref name="ip"/>; the Kubernetes error text when it cannot be.</summary>
    public string? Allocate(IPAddress ip)
    {
        if (!TryIndex(ip, out var index)) return NotInRange(ip);
        return _bitmap.Allocate(index) ? null : "provided IP is already allocated";
    }

    /// <summary>Checks, without reserving, what <see cref="Allocate"/> would say (dry runs do not check for use, as upstream).</summary>
    public string? CheckInRange(IPAddress ip) => TryIndex(ip, out _) ? null : NotInRange(ip);

    /// <summary>Reserves a random free address, the upper (dynamic) band first; null when full.</summary>
    public IPAddress? AllocateNext() => _bitmap.AllocateNext() is { } index ? IPAddress.Parse(FromUInt(_network + 1 + (uint)index)) : null;

    /// <summary>Frees an address (no-op when outside the range or free).</summary>
    public void Release(IPAddress ip)
    {
        if (TryIndex(ip, out var index)) _bitmap.Release(index);
    }

    /// <summary>The addresses in use (a snapshot).</summary>
    public IEnumerable<IPAddress> UsedAddresses() => _bitmap.UsedItems().Select(i => IPAddress.Parse(FromUInt(_network + 1 + (uint)i)));

    /// <summary>Whether the address is in use.</summary>
    public bool Has(IPAddress ip) => TryIndex(ip, out var index) && _bitmap.Has(index);

    private bool TryIndex(IPAddress ip, out int index)
    {
        index = 0;
        if (ip.AddressFamily != AddressFamily.InterNetwork) return false;
        var offset = (long)ToUInt(ip) - _network - 1;
        if (offset < 0 || offset >= _bitmap.Size) return false;
        index = (int)offset;
        return true;
    }

    private string NotInRange(IPAddress ip) => $"the provided IP ({ip}) is not in the valid range. The range of valid IPs is {Cidr}";

    /// <summary>Kubernetes' min(max(16, size/16), 256) addresses reserved for static allocation (0 for tiny ranges).</summary>
    private static int StaticBand(long cidrSize) => cidrSize <= 16 ? 0 : (int)Math.Clamp(cidrSize / 16, 16, 256);

    private static uint ToUInt(IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static string FromUInt(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}
