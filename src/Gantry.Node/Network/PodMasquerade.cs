using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gantry.Node.Network.Proxy;

namespace Gantry.Node.Network;

/// <summary>
/// The masquerade of pod traffic leaving the node's pod CIDR (multicast excepted) when no overlay does it: what the
/// bridge plugin's ipMasq does per pod, as one nftables table per node. The plugin runs iptables nine times on every
/// ADD (and again on DEL); this rule is written once, when the network is initialized, as flannel writes its own.
/// </summary>
internal static class PodMasquerade
{
    /// <summary>The node's table: "gantry-masq-" and 10 hex digits of the node name's SHA-256 (several agents may share a machine).</summary>
    public static string TableName(string nodeName) =>
        "gantry-masq-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nodeName)))[..10];

    /// <summary>
    /// One nft transaction replacing the table with the rule; "add" before "delete" makes the delete succeed when the table
    /// does not exist yet, and the whole file applies atomically.
    /// </summary>
    public static string Transaction(string table, IPNetwork podCidr) =>
        $"add table ip {table}\n" +
        $"delete table ip {table}\n" +
        $"table ip {table} {{\n" +
        "\tchain postrouting {\n" +
        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n" +
        $"\t\tip saddr {podCidr} ip daddr != {podCidr} ip daddr != 224.0.0.0/4 masquerade\n" +
        "\t}\n}\n";

    /// <summary>Writes (or replaces) the node's rule for <paramref name="podCidr"/>.</summary>
    public static Task ApplyAsync(string table, IPNetwork podCidr, CancellationToken cancellationToken)
    {
        string nft;
        try
        {
            nft = NftTool.Locate();
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException("nft not found: pod masquerading needs nftables (install the Debian package nftables)");
        }

        return new NftTool(nft, null).ApplyAsync(Transaction(table, podCidr), cancellationToken);
    }

    /// <summary>Deletes the node's table if it exists (without nft installed it cannot).</summary>
    public static async Task RemoveAsync(string table, CancellationToken cancellationToken)
    {
        string nft;
        try
        {
            nft = NftTool.Locate();
        }
        catch (InvalidOperationException)
        {
            return;
        }

        await new NftTool(nft, null).TryRunAsync(cancellationToken, "delete", "table", "ip", table).ConfigureAwait(false);
    }
}
