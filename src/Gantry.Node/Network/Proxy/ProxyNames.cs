using System.Security.Cryptography;
using System.Text;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Names of the table, chains and sets, laid out as kube-proxy's nftables mode does: a kind prefix, a hash of the
/// readable name (so names differing in one digit stay visually distinct and unique), then the readable name.
/// </summary>
internal static class ProxyNames
{
    public const string ServicesChain = "services";
    public const string MasqueradingChain = "masquerading";
    public const string MarkMasqueradeChain = "mark-for-masquerade";
    public const string EndpointsCheckChain = "service-endpoints-check";
    public const string RejectChain = "reject-chain";
    public const string ServiceIPsMap = "service-ips";
    public const string ServiceNodePortsMap = "service-nodeports";
    public const string NoEndpointServicesMap = "no-endpoint-services";
    public const string NoEndpointNodePortsMap = "no-endpoint-nodeports";
    public const string NodePortIPsSet = "nodeport-ips";

    /// <summary>The kernel's limit on table, chain and set names (NFT_NAME_MAXLEN) less the terminator.</summary>
    private const int MaxNameLength = 255;

    /// <summary>"gantry-" and a hash of the node name: node names can be 253 characters, table names must stay short.</summary>
    public static string Table(string nodeName) => TablePrefix + Hash(nodeName)[..10].ToLowerInvariant();

    /// <summary>What every proxy table's name starts with.</summary>
    public const string TablePrefix = "gantry-";

    /// <summary>"ns/name/proto/port": the readable base of a service port's names (all characters nft allows in names).</summary>
    public static string ServicePortBase(ProxiedServicePort port) => $"{port.Namespace}/{port.Name}/{port.Protocol}/{port.PortName}";

    public static string ServiceChain(ProxiedServicePort port) => Named("service-", ServicePortBase(port));

    public static string LocalChain(ProxiedServicePort port) => Named("local-", ServicePortBase(port));

    public static string ExternalChain(ProxiedServicePort port) => Named("external-", ServicePortBase(port));

    public static string EndpointChain(ProxiedServicePort port, ProxiedEndpoint endpoint) => Named("endpoint-", EndpointBase(port, endpoint));

    public static string AffinitySet(ProxiedServicePort port, ProxiedEndpoint endpoint) => Named("affinity-", EndpointBase(port, endpoint));

    /// <summary>Whether a chain is one of the per-service ones a sync creates and deletes (not a fixed one).</summary>
    public static bool IsServiceChain(string chain) =>
        IsBalancingChain(chain)
        || chain.StartsWith("external-", StringComparison.Ordinal)
        || chain.StartsWith("endpoint-", StringComparison.Ordinal);

    /// <summary>Whether a chain balances over endpoints with a <c>numgen</c> verdict map (a service or local chain).</summary>
    public static bool IsBalancingChain(string chain) =>
        chain.StartsWith("service-", StringComparison.Ordinal) && chain != EndpointsCheckChain
        || chain.StartsWith("local-", StringComparison.Ordinal);

    private static string EndpointBase(ProxiedServicePort port, ProxiedEndpoint endpoint) => $"{ServicePortBase(port)}__{endpoint.IP}/{endpoint.Port}";

    private static string Named(string prefix, string name)
    {
        var full = $"{prefix}{Hash(name)[..8]}-{name}";
        return full.Length <= MaxNameLength ? full : full[..(MaxNameLength - 3)] + "...";
    }

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Base32(digest[..10]);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var builder = new StringBuilder(bytes.Length * 8 / 5 + 1);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) builder.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return builder.ToString();
    }
}
