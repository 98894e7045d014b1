using System.Net;
using System.Text;

namespace Gantry.Node.Network.Overlay;

/// <summary>
/// The node's masquerade rules, flannel's four: pod ↔ pod traffic keeps its addresses (no NAT across nodes), pod
/// traffic leaving the cluster CIDR is masqueraded (multicast excepted), and traffic from outside the cluster CIDR
/// to remote pods is masqueraded so their replies come back through this node; to local pods it is not.
/// </summary>
internal static class OverlayMasquerade
{
    /// <summary>
    /// One nft transaction replacing table ip <paramref name="table"/> with the rules; "add" before "delete" makes the
    /// delete succeed when the table does not exist yet, and the whole file applies atomically.
    /// </summary>
    public static string Transaction(string table, IPNetwork clusterCidr, IPNetwork podCidr)
    {
        var builder = new StringBuilder();
        builder.Append("add table ip ").Append(table).Append('\n');
        builder.Append("delete table ip ").Append(table).Append('\n');
        builder.Append("table ip ").Append(table).Append(" {\n");
        builder.Append("\tchain postrouting {\n");
        builder.Append("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        builder.Append("\t\tip saddr ").Append(clusterCidr).Append(" ip daddr ").Append(clusterCidr).Append(" return\n");
        builder.Append("\t\tip saddr ").Append(clusterCidr).Append(" ip daddr != 224.0.0.0/4 masquerade fully-random\n");
        builder.Append("\t\tip saddr != ").Append(clusterCidr).Append(" ip daddr ").Append(podCidr).Append(" return\n");
        builder.Append("\t\tip saddr != ").Append(clusterCidr).Append(" ip daddr ").Append(clusterCidr).Append(" masquerade fully-random\n");
        builder.Append("\t}\n}\n");
        return builder.ToString();
    }
}
