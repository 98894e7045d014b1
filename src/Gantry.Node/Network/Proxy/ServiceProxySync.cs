namespace Gantry.Node.Network.Proxy;

/// <summary>What one successful sync sent to nftables.</summary>
/// <param name="Full">Whether the whole table was rewritten (first sync, after a failure, hourly) rather than a diff.</param>
/// <param name="Lines">Lines of the nft transaction; zero when nothing changed and nft was not run.</param>
/// <param name="Bytes">Bytes of the nft transaction.</param>
/// <param name="Duration">Time to build and apply the transaction.</param>
/// <param name="NftTime">Of that, the time nft took to apply it.</param>
/// <param name="ServicePorts">Service ports programmed.</param>
/// <param name="Endpoints">Endpoint chains programmed.</param>
public sealed record ServiceProxySync(bool Full, int Lines, int Bytes, TimeSpan Duration, TimeSpan NftTime, int ServicePorts, int Endpoints);
