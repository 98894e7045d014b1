using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gantry.Controllers.NodeIpam;

/// <summary>
/// The IPv4 subnets of one size inside a cluster CIDR and which are taken (Kubernetes' cidrset): allocation goes round
/// from the last one given, so a freed range is not handed out again at once.
/// </summary>
internal sealed class CidrSet
{
    private readonly uint _base;
    private readonly int _maskSize;
    private readonly int _count;
    private readonly bool[] _used;
    private int _nextCandidate;

    /// <summary>The /<paramref name="maskSize"/> subnets of <paramref name="clusterCidr"/>.</summary>
    public CidrSet(string clusterCidr, int maskSize)
    {
        var cluster = IPNetwork.Parse(clusterCidr);
        if (cluster.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"cluster CIDR {clusterCidr}: only IPv4 is supported", nameof(clusterCidr));
        if (maskSize < cluster.PrefixLength || maskSize > 32)
            throw new ArgumentException($"node CIDR mask size {maskSize} does not fit in the cluster CIDR {clusterCidr}", nameof(maskSize));
        if (maskSize - cluster.PrefixLength > 16)
            throw new ArgumentException($"cluster CIDR {clusterCidr} with mask size {maskSize} gives more than 65536 node ranges", nameof(maskSize));
        _base = ToUInt(cluster.BaseAddress);
        _maskSize = maskSize;
        _count = 1 << (maskSize - cluster.PrefixLength);
        _used = new bool[_count];
    }

    /// <summary>Takes the next free subnet; null when every one is taken.</summary>
    public string? Allocate()
    {
        for (var i = 0; i < _count; i++)
        {
            var candidate = (_nextCandidate + i) % _count;
            if (_used[candidate]) continue;
            _used[candidate] = true;
            _nextCandidate = (candidate + 1) % _count;
            return Format(candidate);
        }
        return null;
    }

    /// <summary>Marks every subnet overlapping <paramref name="cidr"/> as taken; false when it lies outside the cluster CIDR.</summary>
    public bool Occupy(string cidr) => Mark(cidr, true);

    /// <summary>Frees every subnet overlapping <paramref name="cidr"/>.</summary>
    public void Release(string cidr) => Mark(cidr, false);

    private bool Mark(string cidr, bool used)
    {
        if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork) return false;
        var start = (long)ToUInt(network.BaseAddress);
        var end = start + (1L << (32 - network.PrefixLength)) - 1;
        var size = 1L << (32 - _maskSize);
        var first = Math.Max(0, (start - _base) / size);
        var last = Math.Min(_count - 1, (end - _base) / size);
        if (end < _base || first > last) return false;
        for (var i = first; i <= last; i++) _used[i] = used;
        return true;
    }

    private string Format(int index)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, _base + ((uint)index << (32 - _maskSize)));
        return $"{new IPAddress(bytes)}/{_maskSize}";
    }

    private static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
}
