namespace Gantry.Node.Network;

/// <summary>Pod networking on one node through CNI plugins: an address from the node's pod CIDR, routes, host ports.</summary>
public interface IPodNetwork
{
    /// <summary>Writes the node's network configuration for its pod CIDR (e.g. 10.42.3.0/24); called once it is known.</summary>
    Task InitializeAsync(string podCidr, CancellationToken cancellationToken);

    /// <summary>Connects a sandbox's network namespace (CNI ADD); returns its addresses.</summary>
    Task<PodNetworkStatus> SetUpAsync(PodNetworkRequest request, CancellationToken cancellationToken);

    /// <summary>Disconnects a sandbox (CNI DEL), releasing its address and host ports. Idempotent.</summary>
    Task TearDownAsync(PodNetworkRequest request, CancellationToken cancellationToken);
}
