using System.Net;

namespace Gantry.ApiServer.Services;

/// <summary>
/// What one create or update of a Service reserved and what it gives back, as Kubernetes' allocation transaction:
/// <see cref="Commit"/> once the store write succeeded (frees what the old object held and the new one does not),
/// <see cref="Revert"/> when it did not (frees what this write reserved).
/// </summary>
internal sealed class ServiceAllocation(ClusterIpRange ips, NodePortRange ports)
{
    private readonly List<IPAddress> _reservedIps = [];
    private readonly List<int> _reservedPorts = [];
    private readonly List<IPAddress> _freedIps = [];
    private readonly List<int> _freedPorts = [];
    private bool _done;

    /// <summary>Records an address this write reserved.</summary>
    public void Reserved(IPAddress ip) => _reservedIps.Add(ip);

    /// <summary>Records a port this write reserved.</summary>
    public void Reserved(int port) => _reservedPorts.Add(port);

    /// <summary>Records an address the old object held that the new one gives back.</summary>
    public void Freed(IPAddress ip) => _freedIps.Add(ip);

    /// <summary>Records a port the old object held that the new one gives back.</summary>
    public void Freed(int port) => _freedPorts.Add(port);

    /// <summary>The write is durable: release what the old object no longer holds.</summary>
    public void Commit()
    {
        if (_done) return;
        _done = true;
        foreach (var ip in _freedIps) ips.Release(ip);
        foreach (var port in _freedPorts) ports.Release(port);
    }

    /// <summary>The write failed or was a dry run: release what it reserved.</summary>
    public void Revert()
    {
        if (_done) return;
        _done = true;
        foreach (var ip in _reservedIps) ips.Release(ip);
        foreach (var port in _reservedPorts) ports.Release(port);
    }
}
