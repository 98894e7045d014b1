using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Gantry.Api.Net;

/// <summary>
/// The addresses of this host's network interfaces. .NET reads them with one netlink dump and throws
/// <see cref="ArgumentException"/> ("invalid IP address") when an interface comes or goes during the read — which happens
/// whenever an agent on the machine is creating pod veths — so the read is retried.
/// </summary>
public static class HostAddresses
{
    private const int Attempts = 5;

    /// <summary>Every unicast address with its interface.</summary>
    public static IReadOnlyList<(NetworkInterface Interface, IPAddress Address)> All()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => (n, a.Address)))];
            }
            catch (ArgumentException) when (attempt < Attempts)
            {
                Thread.Sleep(10 * attempt);
            }
        }
    }

    /// <summary>The first non-loopback IPv4 address of an interface that is up (the kubelet's default node IP), or null.</summary>
    public static IPAddress? FirstUsableIPv4() => All()
        .Where(a => a.Interface.OperationalStatus == OperationalStatus.Up && a.Interface.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
