namespace Gantry.Node.Network;

/// <summary>What CNI gave a sandbox.</summary>
/// <param name="Ips">The pod's addresses, primary first (status.podIP / podIPs).</param>
public sealed record PodNetworkStatus(IReadOnlyList<string> Ips);
