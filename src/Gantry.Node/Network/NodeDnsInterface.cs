using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Node.Network;

/// <summary>
/// The dummy interface carrying the cluster DNS service IP on a node, as NodeLocal DNSCache's <c>nodelocaldns</c>
/// interface: packets from pods to that IP are then local and reach the agent's DNS server without any NAT. One per
/// node name, because agents sharing a network namespace (tests, hollow nodes) must each own and remove their own; the
/// same /32 on several interfaces is allowed.
/// </summary>
public static class NodeDnsInterface
{
    /// <summary>What every such interface's name starts with.</summary>
    public const string Prefix = "gdns-";

    /// <summary>"gdns-" and ten hex digits of a hash of the node name: interface names are at most 15 characters.</summary>
    public static string NameFor(string nodeName) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nodeName)))[..10];

    /// <summary>Creates the interface (or takes over one a killed agent left) with exactly <paramref name="addresses"/> as /32s, up.</summary>
    public static async Task EnsureAsync(string nodeName, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        var name = NameFor(nodeName);
        var exists = await HostCommand.RunAsync("ip", ["link", "show", "dev", name], null, cancellationToken).ConfigureAwait(false);
        if (!exists.Succeeded)
        {
            var dummy = await HostCommand.RunAsync("ip", ["link", "add", name, "type", "dummy"], null, cancellationToken).ConfigureAwait(false);
            // Kernels built without the dummy driver (some microVMs) still have bridges: a port-less bridge holds local addresses as well.
            if (!dummy.Succeeded) await HostCommand.RunCheckedAsync("ip", ["link", "add", name, "type", "bridge"], null, cancellationToken).ConfigureAwait(false);
        }
        await HostCommand.RunCheckedAsync("ip", ["addr", "flush", "dev", name], null, cancellationToken).ConfigureAwait(false);
        foreach (var address in addresses)
            await HostCommand.RunCheckedAsync("ip", ["addr", "add", $"{address}/32", "dev", name], null, cancellationToken).ConfigureAwait(false);
        await HostCommand.RunCheckedAsync("ip", ["link", "set", name, "up"], null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the node's interface; nothing happens when it is already gone.</summary>
    public static async Task RemoveAsync(string nodeName, CancellationToken cancellationToken) =>
        await HostCommand.RunAsync("ip", ["link", "del", NameFor(nodeName)], null, cancellationToken).ConfigureAwait(false);
}
